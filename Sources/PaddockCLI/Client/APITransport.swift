/// One HTTP request to the Paddock API, relative to the server's base URL.
public struct APIRequest: Sendable, Equatable {
    /// `GET`, `POST` or `DELETE`.
    public var method: String
    /// The path with its query string, e.g. `/v1/environments?name=web&limit=1`.
    public var path: String
    /// Header fields with lower-case names.
    public var headers: [String: String]
    /// The body, if any: JSON, or raw bytes for file uploads.
    public var body: [UInt8]?
    /// Seconds to wait without an answer before giving up; `nil` uses the transport's default.
    /// Requests the server may hold open (`wait: true`, image builds) set a longer one.
    public var timeout: Double?

    /// Creates a request.
    public init(method: String, path: String, headers: [String: String] = [:], body: [UInt8]? = nil,
                timeout: Double? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.timeout = timeout
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

    /// Sends `request` and returns as soon as the status and headers arrive, with the body
    /// delivered piece by piece as the server sends it (exec events, `logs?follow=true`);
    /// throws only when no response was received.
    func stream(_ request: APIRequest) async throws -> APIStreamingResponse
}

extension APITransport {
    /// A transport that cannot stream delivers the whole body as one piece once it has it.
    public func stream(_ request: APIRequest) async throws -> APIStreamingResponse {
        let response = try await send(request)
        return APIStreamingResponse(status: response.status, headers: response.headers,
                                    body: AsyncThrowingStream { continuation in
            if !response.body.isEmpty { continuation.yield(response.body) }
            continuation.finish()
        })
    }
}
