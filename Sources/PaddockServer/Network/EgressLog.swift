import PaddockCore
import PaddockStore
import Synchronization

/// The network audit log's writer: the proxy and DNS responder hand it every outbound attempt
/// (``record(_:)`` never blocks: it appends to a bounded in-memory queue), and a background task
/// writes the queue to the store in batches, every `flushInterval` or as soon as `batchSize`
/// events wait. It also keeps the counters `/metrics` shows.
public final class EgressLog: EgressRecorder, Sendable {
    /// Counts of attempts, bytes and the log's own work, for `/metrics` and tests.
    public struct Statistics: Sendable, Equatable {
        /// Attempts by protocol and decision: those recorded by this log, plus the store's
        /// totals of earlier runs once ``restoreTotals()`` ran.
        public var attempts: [AttemptKey: Int64] = [:]
        /// Bytes from sessions to targets (counted like `attempts`).
        public var bytesUp: Int64 = 0
        /// Bytes from targets to sessions (counted like `attempts`).
        public var bytesDown: Int64 = 0
        /// Events not stored: the queue was full, the store refused a batch, or the session
        /// was unknown to the store.
        public var dropped: Int64 = 0
        /// Events waiting to be written.
        public var pending = 0
        /// Events written to the store.
        public var written: Int64 = 0
        /// Batches (store transactions) written.
        public var batches: Int64 = 0

        /// How many attempts of `protocolName` had this decision.
        public func attempts(_ protocolName: EgressProtocol, allowed: Bool) -> Int64 {
            attempts[AttemptKey(protocolName: protocolName, allowed: allowed)] ?? 0
        }
    }

    /// A protocol and decision, the labels of `paddock_egress_attempts_total`.
    public struct AttemptKey: Sendable, Hashable {
        /// How the attempt reached Paddock.
        public var protocolName: EgressProtocol
        /// Whether it was allowed.
        public var allowed: Bool

        /// Creates a key.
        public init(protocolName: EgressProtocol, allowed: Bool) {
            self.protocolName = protocolName
            self.allowed = allowed
        }
    }

    /// The most events one store transaction takes.
    public let batchSize: Int
    /// Events beyond this many waiting are dropped (and counted).
    public let maxPending: Int

    private let queue: EgressQueue
    private let store: any RecordStore
    private let onWriteError: @Sendable (String) -> Void
    private let wake: AsyncStream<Void>.Continuation
    private let flusher: Task<Void, Never>
    private let ticker: Task<Void, Never>

    /// Starts the background writer. `onWriteError` hears about batches the store refused
    /// (their events are dropped and counted).
    public init(store: any RecordStore, batchSize: Int = 500, flushInterval: Duration = .milliseconds(200),
                maxPending: Int = 100_000, onWriteError: @escaping @Sendable (String) -> Void = { _ in }) {
        let batchSize = max(1, batchSize)
        let queue = EgressQueue()
        let (stream, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.batchSize = batchSize
        self.maxPending = max(1, maxPending)
        self.queue = queue
        self.store = store
        self.onWriteError = onWriteError
        self.wake = wake
        flusher = Task {
            for await _ in stream {
                await Self.writePending(queue: queue, store: store, batchSize: batchSize, onWriteError: onWriteError)
            }
            // Stopped: write what is left, then let later flushes write on their own.
            await Self.writePending(queue: queue, store: store, batchSize: batchSize, onWriteError: onWriteError, stopping: true)
        }
        ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: flushInterval)
                if case .terminated = wake.yield() { return }
            }
        }
    }

    deinit {
        ticker.cancel()
        wake.finish()
    }

    /// Queues one event and counts it; never blocks. When `maxPending` events already wait, the
    /// event is dropped and counted in `dropped`.
    public func record(_ event: EgressEvent) {
        let (accepted, pending) = queue.append(event, maxPending: maxPending)
        if accepted && pending % batchSize == 0 { wake.yield() }
    }

    /// Writes every event recorded before the call; returns once they are in the store (or
    /// dropped because the store refused them).
    public func flush() async {
        let queued = await withCheckedContinuation { continuation in
            if queue.addWaiter(continuation) {
                wake.yield()
            } else {
                continuation.resume(returning: false)
            }
        }
        if !queued {
            // The background writer has stopped: write here.
            await Self.writePending(queue: queue, store: store, batchSize: batchSize, onWriteError: onWriteError)
        }
    }

    /// Writes what is queued and stops the background writer; call before closing the store.
    /// Events recorded later stay queued until a ``flush()``.
    public func stop() async {
        ticker.cancel()
        wake.finish()
        await flusher.value
    }

    /// Adds the store's totals of earlier runs to the counters, so that they keep counting
    /// across restarts; call once, before sessions start.
    public func restoreTotals() async throws {
        let totals = try await store.egressTotals()
        queue.addTotals(totals)
    }

    /// A snapshot of the counters.
    public var statistics: Statistics { queue.statistics }

    /// Writes everything queued, `batchSize` events per transaction, then wakes the flushes
    /// that were waiting for it.
    private static func writePending(queue: EgressQueue, store: any RecordStore, batchSize: Int,
                                     onWriteError: @Sendable (String) -> Void, stopping: Bool = false) async {
        let (events, waiters) = queue.takeAll(stopping: stopping)
        var start = 0
        while start < events.count {
            let batch = Array(events[start..<min(start + batchSize, events.count)])
            start += batch.count
            do {
                let stored = try await store.appendEgressEvents(batch)
                queue.noteWritten(stored, skipped: batch.count - stored)
            } catch {
                queue.noteDropped(batch.count)
                onWriteError("egress log: \(batch.count) events could not be stored: \(error)")
            }
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }
}

/// The queue and counters of an `EgressLog`, behind one lock held only for a few instructions.
final class EgressQueue: Sendable {
    private struct State {
        var pending: [EgressEvent] = []
        var waiters: [CheckedContinuation<Bool, Never>] = []
        var statistics = EgressLog.Statistics()
        var stopped = false
    }

    private let state = Mutex(State())

    /// Appends and counts the event unless `maxPending` wait already; returns whether it was
    /// queued and how many wait now.
    func append(_ event: EgressEvent, maxPending: Int) -> (accepted: Bool, pending: Int) {
        state.withLock { state in
            let key = EgressLog.AttemptKey(protocolName: event.protocolName, allowed: event.allowed)
            state.statistics.attempts[key, default: 0] += 1
            state.statistics.bytesUp += max(0, event.bytesUp)
            state.statistics.bytesDown += max(0, event.bytesDown)
            guard state.pending.count < maxPending else {
                state.statistics.dropped += 1
                return (false, state.pending.count)
            }
            state.pending.append(event)
            return (true, state.pending.count)
        }
    }

    /// Registers a flush to wake after the next write; false once the writer has stopped.
    func addWaiter(_ waiter: CheckedContinuation<Bool, Never>) -> Bool {
        state.withLock { state in
            guard !state.stopped else { return false }
            state.waiters.append(waiter)
            return true
        }
    }

    /// Takes every queued event and every waiting flush; with `stopping`, later flushes write
    /// on their own.
    func takeAll(stopping: Bool) -> (events: [EgressEvent], waiters: [CheckedContinuation<Bool, Never>]) {
        state.withLock { state in
            if stopping { state.stopped = true }
            let taken = (state.pending, state.waiters)
            state.pending = []
            state.waiters = []
            return taken
        }
    }

    /// Counts a batch written; `skipped` events (of sessions the store does not know) count as dropped.
    func noteWritten(_ count: Int, skipped: Int) {
        state.withLock {
            $0.statistics.written += Int64(count)
            $0.statistics.dropped += Int64(max(0, skipped))
            $0.statistics.batches += 1
        }
    }

    /// Counts events of a batch the store refused.
    func noteDropped(_ count: Int) {
        state.withLock { $0.statistics.dropped += Int64(count) }
    }

    /// Adds stored totals (of earlier runs) to the counters.
    func addTotals(_ totals: [EgressTotal]) {
        state.withLock { state in
            for total in totals {
                guard let protocolName = EgressProtocol(rawValue: total.protocolName) else { continue }
                let key = EgressLog.AttemptKey(protocolName: protocolName, allowed: total.decision == .allowed)
                state.statistics.attempts[key, default: 0] += total.events
                state.statistics.bytesUp += total.bytesUp
                state.statistics.bytesDown += total.bytesDown
            }
        }
    }

    /// The counters and the current queue length.
    var statistics: EgressLog.Statistics {
        state.withLock { state in
            var snapshot = state.statistics
            snapshot.pending = state.pending.count
            return snapshot
        }
    }
}
