import Dispatch
import Foundation
import PaddockCore
import Synchronization

/// A few threads that run blocking name lookups, so the event loop never waits on DNS.
/// Work beyond ``maxQueued`` is refused at once rather than queued without bound.
final class ResolverPool: Sendable {
    private struct State {
        var queue: [@Sendable () -> Void] = []
        var head = 0
        var stopped = false
    }

    private let state = Mutex(State())
    private let ready = DispatchSemaphore(value: 0)
    private let threadCount: Int

    /// The most lookups waiting for a thread.
    static let maxQueued = 4096

    /// Starts `threads` lookup threads.
    init(threads: Int) {
        threadCount = threads
        for index in 0..<threads {
            let thread = Thread { [self] in work() }
            thread.name = "paddock-egress-dns-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Queues `job`; false when the pool is stopped or full.
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard !state.stopped, state.queue.count - state.head < Self.maxQueued else { return false }
            state.queue.append(job)
            return true
        }
        if accepted { ready.signal() }
        return accepted
    }

    /// Lets the threads end once the lookups already running return.
    func stop() {
        state.withLock { $0.stopped = true }
        for _ in 0..<threadCount { ready.signal() }
    }

    private func work() {
        while true {
            ready.wait()
            let job = state.withLock { state -> (@Sendable () -> Void)? in
                if state.stopped { return nil }
                guard state.head < state.queue.count else { return nil }
                let job = state.queue[state.head]
                state.head += 1
                if state.head > 64, state.head * 2 > state.queue.count {
                    state.queue.removeFirst(state.head)
                    state.head = 0
                }
                return job
            }
            guard let job else {
                if state.withLock({ $0.stopped }) { return }
                continue
            }
            job()
        }
    }
}
