import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 server that calls one handler for every request (keep-alive, pipelining,
/// chunked request and response bodies, body limits, graceful stop).
public final class HTTPServer: Sendable {
    private enum State {
        case idle
        case running(port: Int)
        case stopped
    }

    private let transport: MicroHTTPDServer
    private let state = Mutex(State.idle)

    /// A server that will pass every request to `handler`; nothing is bound until `start()`.
    public init(configuration: HTTPServerConfiguration, handler: @escaping HTTPHandler) {
        self.transport = MicroHTTPDServer(configuration: configuration, handler: handler)
    }

    /// A server whose 413 responses come from `onTooLarge` (replacing the configuration's).
    public convenience init(configuration: HTTPServerConfiguration, handler: @escaping HTTPHandler,
                            onTooLarge: @escaping @Sendable (_ limit: Int) -> HTTPResponse) {
        var configuration = configuration
        configuration.onTooLarge = onTooLarge
        self.init(configuration: configuration, handler: handler)
    }

    deinit {
        stop()
    }

    /// The configuration the server was made with.
    public var configuration: HTTPServerConfiguration { transport.configuration }

    /// The bound port once started (the real one when the configuration asked for 0), else 0.
    public var port: Int {
        state.withLock { state in
            if case .running(let port) = state { return port }
            return 0
        }
    }

    /// Requests received but not yet completed (including those waiting for their body).
    public var requestsInFlight: Int { transport.tracker.requestsInFlight }

    /// Binds the socket and starts serving. A server starts at most once.
    public func start() throws {
        try state.withLock { (state: inout State) throws(HTTPServerError) in
            guard case .idle = state else { throw HTTPServerError("the server was already started") }
            let configuration = transport.configuration
            let socket: ListenSocket
            do {
                socket = try ListenSocket.open(host: configuration.host, port: configuration.port,
                                               backlog: configuration.listenBacklog)
                try transport.start(listening: socket)
            } catch let error as HTTPServerError {
                throw error
            } catch {
                throw HTTPServerError("\(error)")
            }
            state = .running(port: socket.port)
        }
    }

    /// Stops gracefully, blocking the caller: stops accepting connections, lets requests in
    /// flight finish (responses then carry `connection: close`) for up to
    /// `shutdownTimeout` seconds, then closes every connection. Idempotent.
    public func stop() {
        let running = state.withLock { state -> Bool in
            defer { state = .stopped }
            if case .running = state { return true }
            return false
        }
        guard running else { return }
        let tracker = transport.tracker
        tracker.beginStopping()
        transport.quiesce()
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(Int(max(0, transport.configuration.shutdownTimeout) * 1000)))
        while tracker.requestsInFlight > 0 && clock.now < deadline { usleep(2_000) }
        tracker.forceAll()
        while tracker.resumesUnderWay > 0 { usleep(500) }
        transport.stopDaemon()
    }

    /// `stop()` for async code: waits without blocking a Swift concurrency thread (which
    /// the handlers still in flight may need to finish).
    public func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.stop()
                continuation.resume()
            }
        }
    }
}
