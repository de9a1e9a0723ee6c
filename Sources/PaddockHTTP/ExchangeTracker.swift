import Synchronization

/// Counts requests in flight and resumes under way, and remembers the exchanges that can be
/// parked, so that `stop()` can drain, then force, then tear down the daemon safely.
final class ExchangeTracker: Sendable {
    private struct Registry {
        var forcing = false
        var exchanges: [ObjectIdentifier: Exchange] = [:]
    }

    private let resumeConnection: @Sendable (OpaquePointer) -> Void
    private let inFlight = Atomic<Int>(0)
    private let resuming = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let registry = Mutex(Registry())

    /// A tracker that wakes parked connections with `resume`.
    init(resume: @escaping @Sendable (OpaquePointer) -> Void) {
        self.resumeConnection = resume
    }

    func requestStarted() { inFlight.add(1, ordering: .relaxed) }
    func requestFinished() { inFlight.subtract(1, ordering: .relaxed) }
    var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    func beginStopping() { stopping.store(true, ordering: .relaxed) }
    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    func beginResume() { resuming.add(1, ordering: .sequentiallyConsistent) }
    func finishResume(_ connection: OpaquePointer) {
        resumeConnection(connection)
        resuming.subtract(1, ordering: .sequentiallyConsistent)
    }
    var resumesUnderWay: Int { resuming.load(ordering: .sequentiallyConsistent) }

    /// Remembers an exchange that is about to park; one registered while forcing is forced.
    func register(_ exchange: Exchange) {
        let forcing = registry.withLock { registry -> Bool in
            registry.exchanges[ObjectIdentifier(exchange)] = exchange
            return registry.forcing
        }
        if forcing { exchange.force() }
    }

    func unregister(_ exchange: Exchange) {
        _ = registry.withLock { $0.exchanges.removeValue(forKey: ObjectIdentifier(exchange)) }
    }

    /// Forces every parked exchange, now and from now on.
    func forceAll() {
        let exchanges = registry.withLock { registry -> [Exchange] in
            registry.forcing = true
            return Array(registry.exchanges.values)
        }
        for exchange in exchanges { exchange.force() }
    }
}
