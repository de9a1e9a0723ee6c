import Synchronization

/// The state of one request/response on a connection.
///
/// Fields without a lock belong to the server thread that owns the connection (the
/// transport calls every callback of a connection on one thread). `shared` is what the
/// handler task and the stream pump touch from other threads: the finished response, the
/// stream piece in flight, and whether the connection is parked (suspended) waiting for them.
///
/// Parking protocol, which keeps "resume" strictly after "suspend": the owning thread first
/// suspends the connection, then, under the lock, either records `suspended` or, when what it
/// waits for is already there, resumes the connection itself. Another thread resumes only a
/// connection it found `suspended` (clearing the flag under the lock), counting the resume in
/// `ExchangeTracker` so that `stop()` can wait for it before the daemon is torn down.
final class Exchange: @unchecked Sendable {
    enum Phase {
        case new, receiving, handling, responded
    }

    /// What the transport should do for a content-reader call.
    enum Read {
        case bytes(Int)
        case end
        case failed
        case waiting
    }

    private struct Shared {
        var response: HTTPResponse?
        var suspended = false
        var forced = false
        var closed = false
        var piece: [UInt8] = []
        var offset = 0
        var streamEnded = false
        var drained: CheckedContinuation<Void, Never>?
        var pump: Task<Void, Never>?
    }

    /// The transport's connection handle.
    let connection: OpaquePointer
    let tracker: ExchangeTracker
    /// The raw request target as sent (`/path?query`).
    let target: String

    // Owned by the connection's thread.
    var phase = Phase.new
    var request: HTTPRequest?
    var body: [UInt8] = []
    var limit = 0
    var overLimit = false
    var received = 0
    var isHead = false
    var counted = false
    var registered = false

    private let shared = Mutex(Shared())

    init(target: String, connection: OpaquePointer, tracker: ExchangeTracker) {
        self.target = target
        self.connection = connection
        self.tracker = tracker
    }

    // MARK: Handler result

    /// Stores the handler's response and wakes the connection if it is parked.
    func deliver(_ response: HTTPResponse) {
        let wake = shared.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.response = response
            return takeSuspension(&state)
        }
        if wake { tracker.finishResume(connection) }
    }

    /// The response, once the handler has delivered it.
    func takeResponse() -> HTTPResponse? {
        shared.withLock { state in
            defer { state.response = nil }
            return state.response
        }
    }

    /// Called right after suspending while waiting for the response; true when the caller
    /// must resume at once (the response arrived meanwhile, or the server is being stopped).
    func parkForResponse() -> Bool {
        shared.withLock { state in
            if state.response != nil || state.forced || state.closed { return true }
            state.suspended = true
            return false
        }
    }

    /// Whether `stop()` gave up waiting for this exchange.
    var isForced: Bool {
        shared.withLock { $0.forced }
    }

    // MARK: Streamed body

    /// Starts pulling `stream` in a task.
    func startStream(_ stream: HTTPBodyStream) {
        let task = Task { await self.pump(stream) }
        let cancel = shared.withLock { state -> Bool in
            if state.closed { return true }
            state.pump = task
            return false
        }
        if cancel { task.cancel() }
    }

    /// Copies the next bytes of the stream into `buffer`.
    func read(into buffer: UnsafeMutableRawPointer, max: Int) -> Read {
        var drained: CheckedContinuation<Void, Never>?
        let result = shared.withLock { state -> Read in
            let available = state.piece.count - state.offset
            if available > 0 {
                let count = min(available, max)
                state.piece.withUnsafeBytes { bytes in
                    buffer.copyMemory(from: bytes.baseAddress! + state.offset, byteCount: count)
                }
                state.offset += count
                if state.offset == state.piece.count {
                    state.piece = []
                    state.offset = 0
                    drained = state.drained
                    state.drained = nil
                }
                return .bytes(count)
            }
            if state.streamEnded { return .end }
            if state.forced || state.closed { return .failed }
            return .waiting
        }
        drained?.resume()
        return result
    }

    /// Called right after suspending while waiting for a piece; true when the caller must
    /// resume at once.
    func parkForPiece() -> Bool {
        shared.withLock { state in
            if state.piece.count > state.offset || state.streamEnded || state.forced || state.closed { return true }
            state.suspended = true
            return false
        }
    }

    /// Pulls pieces one at a time: the next is pulled only after the transport took the last.
    private func pump(_ stream: HTTPBodyStream) async {
        while !Task.isCancelled {
            guard let piece = await stream.next() else { break }
            if piece.isEmpty { continue }
            let (wake, open) = shared.withLock { state -> (Bool, Bool) in
                if state.closed || state.forced { return (false, false) }
                state.piece = piece
                state.offset = 0
                return (takeSuspension(&state), true)
            }
            if wake { tracker.finishResume(connection) }
            guard open else { return }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = shared.withLock { state -> Bool in
                    if state.closed || state.forced || state.piece.isEmpty { return true }
                    state.drained = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
            if shared.withLock({ $0.closed || $0.forced }) { return }
        }
        let wake = shared.withLock { state -> Bool in
            state.streamEnded = true
            return takeSuspension(&state)
        }
        if wake { tracker.finishResume(connection) }
    }

    // MARK: End of life

    /// The transport is done with this exchange (request completed or response freed).
    func close() {
        let (drained, pump) = shared.withLock { state in
            state.closed = true
            state.suspended = false
            defer {
                state.drained = nil
                state.pump = nil
            }
            return (state.drained, state.pump)
        }
        drained?.resume()
        pump?.cancel()
    }

    /// `stop()` gave up waiting: wake the connection so the daemon can close it.
    func force() {
        let (wake, drained) = shared.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            state.forced = true
            defer { state.drained = nil }
            return (takeSuspension(&state), state.drained)
        }
        drained?.resume()
        if wake { tracker.finishResume(connection) }
    }

    /// Under the lock: clears `suspended` and announces a resume the caller must perform.
    private func takeSuspension(_ state: inout Shared) -> Bool {
        guard state.suspended else { return false }
        state.suspended = false
        tracker.beginResume()
        return true
    }
}
