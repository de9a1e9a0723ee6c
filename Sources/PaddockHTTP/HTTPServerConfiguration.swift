#if canImport(Glibc)
import Glibc
#endif

/// How an `HTTPServer` listens and what it accepts.
public struct HTTPServerConfiguration: Sendable {
    /// The address to bind: an IPv4 or IPv6 literal (`127.0.0.1`, `0.0.0.0`, `::1`, `[::]`)
    /// or `localhost`.
    public var host: String
    /// The TCP port; 0 picks a free one (read it from `HTTPServer.port` after `start()`).
    public var port: Int
    /// Threads serving connections; each handles many connections (epoll).
    public var threadCount: Int
    /// The largest request body accepted when `bodyLimit` is not set.
    public var maxBodyBytes: Int
    /// The largest body accepted for a request, from its method and decoded path; lets an
    /// upload route take more (or a JSON route less) than `maxBodyBytes`.
    public var bodyLimit: (@Sendable (_ method: String, _ path: String, _ header: (String) -> String?) -> Int)?
    /// The response for a body over the limit (413); given the limit in bytes.
    public var onTooLarge: @Sendable (_ limit: Int) -> HTTPResponse
    /// The response to a request whose framing cannot be trusted (conflicting or duplicated
    /// `Content-Length`, `Content-Length` with `Transfer-Encoding`, a transfer coding other
    /// than `chunked`). The connection is closed after it, so no bytes can be smuggled.
    public var onMalformed: @Sendable (_ problem: String) -> HTTPResponse = { problem in
        .text("bad request: \(problem)\n", status: 400)
    }
    /// Seconds a connection may stay idle (no bytes in or out) before it is closed; 0 = never.
    /// A request waiting for its handler or a stream waiting for its next piece is not idle.
    public var connectionTimeout: Int
    /// The most connections open at once; more are refused at accept time.
    public var connectionLimit: Int
    /// Memory per connection for the request line, headers and I/O buffers; a request whose
    /// headers do not fit is answered 431 (or 414 for a long URL) by the server itself.
    public var connectionMemoryLimit: Int
    /// The listen backlog.
    public var listenBacklog: Int
    /// How long `stop()` waits for requests in flight before it cuts them off, in seconds.
    public var shutdownTimeout: Double
    /// Where libmicrohttpd's own error messages go; nil drops them.
    public var errorLog: (@Sendable (String) -> Void)?

    /// A configuration; every value can be changed afterwards.
    public init(host: String = "127.0.0.1", port: Int = 8080,
                threadCount: Int = HTTPServerConfiguration.defaultThreadCount,
                maxBodyBytes: Int = 1 << 20,
                bodyLimit: (@Sendable (_ method: String, _ path: String, _ header: (String) -> String?) -> Int)? = nil,
                onTooLarge: @escaping @Sendable (_ limit: Int) -> HTTPResponse = { limit in
                    .text("request body is larger than \(limit) bytes\n", status: 413)
                },
                connectionTimeout: Int = 60, connectionLimit: Int = 1024,
                connectionMemoryLimit: Int = 64 * 1024, listenBacklog: Int = 1024,
                shutdownTimeout: Double = 10,
                errorLog: (@Sendable (String) -> Void)? = nil) {
        self.host = host
        self.port = port
        self.threadCount = threadCount
        self.maxBodyBytes = maxBodyBytes
        self.bodyLimit = bodyLimit
        self.onTooLarge = onTooLarge
        self.connectionTimeout = connectionTimeout
        self.connectionLimit = connectionLimit
        self.connectionMemoryLimit = connectionMemoryLimit
        self.listenBacklog = listenBacklog
        self.shutdownTimeout = shutdownTimeout
        self.errorLog = errorLog
    }

    /// max(2, online processors).
    public static var defaultThreadCount: Int {
        max(2, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// The body limit for one request.
    func limit(method: String, path: String, header: (String) -> String?) -> Int {
        max(0, bodyLimit?(method, path, header) ?? maxBodyBytes)
    }
}

/// Why an `HTTPServer` could not start.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the address or the call.
    public let message: String

    /// An error with `message`.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
