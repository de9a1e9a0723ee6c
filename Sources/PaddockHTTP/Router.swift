/// What routing found for a request.
public enum RouteMatch: Sendable {
    /// A route takes the request: its handler, the `{name}` values and the route's pattern.
    case found(handler: HTTPHandler, parameters: [String: String], pattern: String)
    /// Routes match the path but none takes this method; `allowed` lists the methods that do.
    case methodNotAllowed(allowed: [String])
    /// No route matches the path.
    case notFound

    /// The matched route's pattern; nil for 404 and 405.
    public var pattern: String? {
        if case .found(_, _, let pattern) = self { return pattern }
        return nil
    }
}

/// Maps method and path to a handler. Patterns are literal segments and whole `{name}`
/// segments: `/v1/environments/{id}`. Routing is a pure function, testable without a socket.
///
/// Matching rules:
/// - The path is split on `/` *before* percent-decoding, so `%2F` stays inside one segment;
///   each segment is then decoded and compared.
/// - A `{name}` segment matches any non-empty segment.
/// - A trailing slash is significant: `/v1/environments/` does not match
///   `/v1/environments` (404), and neither does `//v1/environments`.
/// - When several patterns match, literal segments win over parameters, left to right; the
///   most specific pattern that takes the method handles the request.
/// - `HEAD` is served by the `GET` handler unless a `HEAD` route exists (the server sends no
///   body for `HEAD`); `HEAD` is listed in `allow` next to `GET`.
/// - 405 only when matching patterns exist but none takes the method; its `allow` header
///   lists the methods of all of them.
public struct Router: Sendable {
    /// Makes the response for a path no route matches.
    public typealias NotFoundResponder = @Sendable (HTTPRequest) async -> HTTPResponse
    /// Makes the response for a method no matching route takes, given the allowed methods.
    public typealias MethodNotAllowedResponder = @Sendable (HTTPRequest, [String]) async -> HTTPResponse

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private struct Entry: Sendable {
        let pattern: String
        let segments: [Segment]
        var handlers: [(method: String, handler: HTTPHandler)] = []

        func handler(for method: String) -> HTTPHandler? {
            if let found = handlers.first(where: { $0.method == method }) { return found.handler }
            if method == "HEAD" { return handlers.first(where: { $0.method == "GET" })?.handler }
            return nil
        }

        var allowedMethods: [String] {
            var methods: [String] = []
            for (method, _) in handlers where !methods.contains(method) {
                methods.append(method)
                if method == "GET" && !handlers.contains(where: { $0.method == "HEAD" }) { methods.append("HEAD") }
            }
            return methods
        }

        func matches(_ path: [String]) -> Bool {
            for (segment, value) in zip(segments, path) {
                switch segment {
                case .literal(let literal): if literal != value { return false }
                case .parameter: if value.isEmpty { return false }
                }
            }
            return true
        }

        func parameters(_ path: [String]) -> [String: String] {
            var parameters: [String: String] = [:]
            for (segment, value) in zip(segments, path) {
                if case .parameter(let name) = segment { parameters[name] = value }
            }
            return parameters
        }

        /// Orders patterns of equal length: a literal beats a parameter at the first difference.
        func isMoreSpecific(than other: Entry) -> Bool {
            for (mine, theirs) in zip(segments, other.segments) {
                switch (mine, theirs) {
                case (.literal, .parameter): return true
                case (.parameter, .literal): return false
                default: continue
                }
            }
            return false
        }
    }

    /// Entries by segment count, each list most specific first.
    private var entries: [Int: [Entry]] = [:]
    private var registered: [(method: String, pattern: String)] = []
    /// Used by `handle(_:)` for paths no route matches.
    public var notFound: NotFoundResponder
    /// Used by `handle(_:)` for methods no matching route takes.
    public var methodNotAllowed: MethodNotAllowedResponder

    /// An empty router; the responders default to short plain-text 404 and 405 responses.
    public init(notFound: @escaping NotFoundResponder = { _ in .text("not found\n", status: 404) },
                methodNotAllowed: @escaping MethodNotAllowedResponder = { _, allowed in
                    var response = HTTPResponse.text("method not allowed\n", status: 405)
                    response.headers.append(("allow", allowed.joined(separator: ", ")))
                    return response
                }) {
        self.notFound = notFound
        self.methodNotAllowed = methodNotAllowed
    }

    /// Every registered route in registration order, as `(method, pattern)`.
    public var routes: [(method: String, pattern: String)] { registered }

    /// Registers `handler` for `method` on `pattern`. Registering the same method and
    /// pattern twice, or a malformed pattern, is a programming error.
    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping HTTPHandler) {
        let method = method.uppercased()
        let segments = Self.parse(pattern)
        var list = entries[segments.count] ?? []
        if let index = list.firstIndex(where: { $0.segments == segments }) {
            precondition(!list[index].handlers.contains(where: { $0.method == method }),
                         "route \(method) \(pattern) is registered twice")
            list[index].handlers.append((method, handler))
        } else {
            var entry = Entry(pattern: pattern, segments: segments)
            entry.handlers.append((method, handler))
            let position = list.firstIndex(where: { entry.isMoreSpecific(than: $0) }) ?? list.endIndex
            list.insert(entry, at: position)
        }
        entries[segments.count] = list
        registered.append((method, pattern))
    }

    /// Finds the route for `request`.
    public func route(_ request: HTTPRequest) -> RouteMatch {
        guard let path = Self.segments(of: request.rawPath), let candidates = entries[path.count] else {
            return .notFound
        }
        var allowed: [String] = []
        for entry in candidates where entry.matches(path) {
            if let handler = entry.handler(for: request.method) {
                return .found(handler: handler, parameters: entry.parameters(path), pattern: entry.pattern)
            }
            for method in entry.allowedMethods where !allowed.contains(method) { allowed.append(method) }
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    /// Routes and handles `request` with this router's responders.
    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        await handle(request, notFound: notFound, methodNotAllowed: methodNotAllowed)
    }

    /// Routes and handles `request`; the matched handler sees `pathParameters` and
    /// `routePattern`. A 405 response gets an `allow` header unless the responder set one.
    public func handle(_ request: HTTPRequest,
                       notFound: (HTTPRequest) async -> HTTPResponse,
                       methodNotAllowed: (HTTPRequest, [String]) async -> HTTPResponse) async -> HTTPResponse {
        await respond(to: request, match: route(request), notFound: notFound, methodNotAllowed: methodNotAllowed)
    }

    /// Handles `request` given the result of `route(_:)`, for callers that need the match
    /// (its `pattern`, for logs and metrics) as well as the response, without routing twice.
    public func respond(to request: HTTPRequest, match: RouteMatch,
                        notFound: (HTTPRequest) async -> HTTPResponse,
                        methodNotAllowed: (HTTPRequest, [String]) async -> HTTPResponse) async -> HTTPResponse {
        switch match {
        case .found(let handler, let parameters, let pattern):
            var request = request
            request.pathParameters = parameters
            request.routePattern = pattern
            return await handler(request)
        case .methodNotAllowed(let allowed):
            var response = await methodNotAllowed(request, allowed)
            if response.header("allow") == nil {
                response.headers.append(("allow", allowed.joined(separator: ", ")))
            }
            return response
        case .notFound:
            return await notFound(request)
        }
    }

    /// The decoded segments of a raw path (`/a/b%20c/` → `["a", "b c", ""]`); nil unless it
    /// starts with `/`.
    static func segments(of rawPath: String) -> [String]? {
        let utf8 = rawPath.utf8
        guard utf8.first == UInt8(ascii: "/") else { return nil }
        return utf8.dropFirst()
            .split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .map { RequestTarget.decode($0, plusAsSpace: false) }
    }

    private static func parse(_ pattern: String) -> [Segment] {
        guard let parts = segments(of: pattern) else {
            preconditionFailure("route pattern '\(pattern)' must start with '/'")
        }
        return parts.map { part in
            if part.hasPrefix("{") && part.hasSuffix("}") && part.count > 2 {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            precondition(!part.contains("{") && !part.contains("}"),
                         "route pattern '\(pattern)': a parameter must be a whole segment")
            return .literal(part)
        }
    }
}
