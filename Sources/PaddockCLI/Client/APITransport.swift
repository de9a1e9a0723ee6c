/// One HTTP request to the Paddock API, relative to the server's base URL.
public struct APIRequest: Sendable, Equatable {
    /// `GET`, `POST` or `DELETE`.
    public var method: String
    /// The path with its query string, e.g. `/v1/environments?name=web&limit=1`.
    public var path: String
    /// Header fields with lower-case names.
    public var headers: [String: String]
    /// The JSON body, if any.
    public var body: [UInt8]?

    /// Creates a request.
    public init(method: String, path: String, headers: [String: String] = [:], body: [UInt8]? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}

/// The server's answer to an `APIRequest`.
public struct APIResponse: Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// Header fields with lower-case names.
    public var headers: [String: String]
    /// The raw body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The request never got an HTTP answer (connection refused, unknown host, timeout).
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A short lower-case reason, e.g. `connection refused`.
    public var message: String

    /// Creates an error with a short reason.
    public init(_ message: String) {
        self.message = message
    }

    /// The reason.
    public var description: String { message }
}

/// Sends API requests; the seam that lets tests replace the network with a fake.
public protocol APITransport: Sendable {
    /// Sends `request` and returns the response whatever its status; throws only when no
    /// response was received.
    func send(_ request: APIRequest) async throws -> APIResponse
}
