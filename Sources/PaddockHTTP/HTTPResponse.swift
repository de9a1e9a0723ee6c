/// Handles one request; the server calls it for every request whose body was accepted.
public typealias HTTPHandler = @Sendable (HTTPRequest) async -> HTTPResponse

/// One HTTP response: status, header fields and a body that is either bytes or a stream.
public struct HTTPResponse: Sendable {
    /// What the response carries.
    public enum Body: Sendable {
        /// A complete body, sent with a `content-length`.
        case bytes([UInt8])
        /// A body produced piece by piece, sent with chunked transfer encoding.
        case stream(HTTPBodyStream)
    }

    /// The status code (100–999; anything else is sent as 500).
    public var status: Int
    /// Header fields sent as given. `content-length` and `transfer-encoding` are set by the
    /// server and ignored here; fields with CR, LF or NUL bytes are dropped.
    public var headers: [(String, String)]
    /// The body.
    public var body: Body

    /// A response from its parts.
    public init(status: Int = 200, headers: [(String, String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with a `content-type` and a byte body.
    public init(status: Int = 200, contentType: String, body: [UInt8]) {
        self.init(status: status, headers: [("content-type", contentType)], body: .bytes(body))
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }

    /// The value of the first header field named `name` (compared without case).
    public func header(_ name: String) -> String? {
        for (key, value) in headers where RequestTarget.equalsIgnoringCase(key, name) { return value }
        return nil
    }

    /// The body bytes; a stream is read to its end.
    public func collectBody() async -> [UInt8] {
        switch body {
        case .bytes(let bytes): return bytes
        case .stream(let stream): return await stream.collect()
        }
    }
}
