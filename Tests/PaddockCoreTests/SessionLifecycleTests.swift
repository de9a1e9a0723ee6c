import Testing
@testable import PaddockCore

@Suite("session lifecycle")
struct SessionLifecycleTests {
    @Test("the allowed transitions", arguments: [
        (SessionStatus.provisioning, SessionEvent.started, SessionStatus.running, TerminationReason?.none),
        (.provisioning, .provisioningFailed, .failed, nil),
        (.provisioning, .terminate(.deleted), .terminated, .deleted),
        (.running, .terminate(.timeout), .terminated, .timeout),
        (.running, .terminate(.idle), .terminated, .idle),
        (.running, .terminate(.oom), .terminated, .oom),
        (.running, .terminate(.error), .terminated, .error),
    ])
    func allowed(from: SessionStatus, event: SessionEvent, to: SessionStatus, reason: TerminationReason?) throws {
        let next = try SessionLifecycle.next(from, on: event)
        #expect(next.status == to)
        #expect(next.reason == reason)
    }

    @Test("terminating a session that already ended changes nothing", arguments: [SessionStatus.failed, .terminated])
    func idempotentDelete(status: SessionStatus) throws {
        let next = try SessionLifecycle.next(status, on: .terminate(.deleted))
        #expect(next.status == status)
        #expect(next.reason == nil)
    }

    @Test("impossible transitions are conflicts", arguments: [
        (SessionStatus.running, SessionEvent.started), (.running, .provisioningFailed),
        (.terminated, .started), (.failed, .started), (.terminated, .provisioningFailed),
    ])
    func refused(from: SessionStatus, event: SessionEvent) {
        do {
            _ = try SessionLifecycle.next(from, on: event)
            Issue.record("\(from) accepted \(event)")
        } catch {
            #expect(error.code == .conflict)
        }
    }

    @Test("only a running session accepts exec and file calls")
    func work() {
        #expect(SessionStatus.allCases.filter(SessionLifecycle.acceptsWork) == [.running])
        #expect(SessionStatus.allCases.filter(\.isFinal) == [.failed, .terminated])
    }
}
