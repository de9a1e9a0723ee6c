/// One HTTP request as the application sees it: decoded path and query, headers, the whole body.
public struct HTTPRequest: Sendable {
    /// The method, upper-case as sent (`GET`, `POST`, …).
    public var method: String
    /// The percent-decoded path, without the query (`/v1/files/a b`).
    public var path: String
    /// The path exactly as sent, without the query (`/v1/files/a%20b`).
    public var rawPath: String
    /// The query exactly as sent, without `?`; nil when the target has no `?`.
    public var rawQuery: String?
    /// The query items in order, percent-decoded, `+` read as a space.
    public var queryItems: [(String, String)]
    /// The header fields in order as received; look them up with `header(_:)`.
    public var headers: [(String, String)]
    /// The whole request body.
    public var body: [UInt8]
    /// The peer's IP address (`127.0.0.1`, `::1`).
    public var remoteAddress: String
    /// The values of the `{name}` segments of the matched route, set by `Router`.
    public var pathParameters: [String: String]
    /// The pattern of the matched route (`/v1/environments/{id}`), set by `Router`.
    public var routePattern: String?

    /// A request from its parts; `target` is the request target, `/path?query`.
    public init(method: String, target: String, headers: [(String, String)] = [], body: [UInt8] = [],
                remoteAddress: String = "127.0.0.1") {
        let (rawPath, rawQuery) = RequestTarget.split(target)
        self.method = method
        self.rawPath = String(rawPath)
        self.path = RequestTarget.decode(rawPath.utf8, plusAsSpace: false)
        self.rawQuery = rawQuery.map(String.init)
        self.queryItems = RequestTarget.queryItems(rawQuery)
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.pathParameters = [:]
        self.routePattern = nil
    }

    /// The value of the first header field named `name` (compared without case).
    public func header(_ name: String) -> String? {
        for (key, value) in headers where RequestTarget.equalsIgnoringCase(key, name) { return value }
        return nil
    }

    /// The value of the first query item named `name`.
    public func query(_ name: String) -> String? {
        for (key, value) in queryItems where key == name { return value }
        return nil
    }

    /// Whether the peer is on this host (127.0.0.0/8, `::1` or an IPv4-mapped loopback).
    public var isLoopback: Bool {
        remoteAddress.hasPrefix("127.") || remoteAddress == "::1" || remoteAddress.hasPrefix("::ffff:127.")
    }
}
