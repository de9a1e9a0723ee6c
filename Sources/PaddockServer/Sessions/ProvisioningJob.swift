import Foundation
import PaddockRuntime
import Synchronization

/// The live state of one session's provisioning: its steps and log as they happen, and the
/// readers following the log. Fed by the runtime (any thread), read by API calls.
final class ProvisioningJob: ProvisioningObserver, Sendable {
    /// The log is kept up to this many bytes; beyond it the middle is dropped (the start says
    /// what ran, the end says how it ended).
    static let maxLogBytes = 1 << 20

    private struct State {
        var steps: [ProvisioningStep] = []
        var log = ProvisioningLog(limit: ProvisioningJob.maxLogBytes)
        var followers: [Int: AsyncStream<[UInt8]>.Continuation] = [:]
        var nextFollower = 0
        var finished = false
    }

    private let state = Mutex(State())

    /// The steps so far, in order; a step reported again replaces its earlier report.
    var steps: [ProvisioningStep] { state.withLock { $0.steps } }

    /// The log so far.
    var logText: String { state.withLock { $0.log.text } }

    func step(_ step: ProvisioningStep) {
        state.withLock { state in
            if let index = state.steps.lastIndex(where: { $0.name == step.name }) {
                state.steps[index] = step
            } else {
                state.steps.append(step)
            }
        }
        if step.status != .running {
            log("step \(step.name): \(step.status.rawValue) in \(step.durationMs) ms")
        }
    }

    func log(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        let followers = state.withLock { state in
            state.log.append(bytes)
            return Array(state.followers.values)
        }
        for follower in followers { follower.yield(bytes) }
    }

    /// Replaces the steps with the runtime's final account of them.
    func settle(steps: [ProvisioningStep]) {
        state.withLock { $0.steps = steps }
    }

    /// Ends the job: followers see the end of their stream.
    func finish() {
        let followers = state.withLock { state in
            state.finished = true
            defer { state.followers.removeAll() }
            return Array(state.followers.values)
        }
        for follower in followers { follower.finish() }
    }

    /// The log so far followed by every later line, ending when the job finishes (at once if
    /// it has).
    func follow() -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let id: Int? = state.withLock { state in
            continuation.yield(Array(state.log.text.utf8))
            guard !state.finished else { return nil }
            let id = state.nextFollower
            state.nextFollower += 1
            state.followers[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.followers.removeValue(forKey: id) }
        }
        return stream
    }
}

/// A byte log bounded at `limit`: keeps the first half and the latest half, with a marker
/// where bytes were dropped.
struct ProvisioningLog: Sendable {
    let limit: Int
    private var head: [UInt8] = []
    private var tail: [UInt8] = []
    private var dropped = 0

    init(limit: Int) {
        self.limit = limit
    }

    mutating func append(_ bytes: [UInt8]) {
        let half = limit / 2
        if head.count < half {
            let room = half - head.count
            head += bytes.prefix(room)
            guard bytes.count > room else { return }
            tail += bytes.dropFirst(room)
        } else {
            tail += bytes
        }
        if tail.count > half {
            let excess = tail.count - half
            tail.removeFirst(excess)
            dropped += excess
        }
    }

    var text: String {
        let marker = dropped > 0 ? Array("\n[… \(dropped) bytes of log omitted …]\n".utf8) : []
        return String(decoding: head + marker + tail, as: UTF8.self)
    }
}
