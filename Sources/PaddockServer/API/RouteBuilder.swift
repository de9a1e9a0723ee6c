import Foundation
import PaddockCore
import PaddockHTTP
import PaddockJSON

/// Who is calling: the account behind the API key of the request.
struct Caller: Sendable {
    let accountID: String
    let accountName: String
    let isAdmin: Bool
    let keyID: String
}

/// The request id of the request being handled, for error bodies and logs.
enum RequestScope {
    @TaskLocal static var requestID = "req_unknown"
}

/// Registers API routes on a `Router`, wrapping each handler with authentication, JSON
/// decoding and the mapping of thrown errors to error responses.
struct RouteBuilder {
    private(set) var router: Router
    let authenticator: Authenticator
    let log: RequestLog

    init(router: Router, authenticator: Authenticator, log: RequestLog) {
        self.router = router
        self.authenticator = authenticator
        self.log = log
    }

    /// A route that needs no API key.
    mutating func open(_ method: String, _ pattern: String, _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
        let log = self.log
        router.add(method, pattern) { request in
            await Self.guarded(log: log) { try await handler(request) }
        }
    }

    /// A route that needs a valid API key; the handler learns who is calling.
    mutating func authenticated(_ method: String, _ pattern: String,
                                _ handler: @escaping @Sendable (HTTPRequest, Caller) async throws -> HTTPResponse) {
        let authenticator = self.authenticator
        let log = self.log
        router.add(method, pattern) { request in
            await Self.guarded(log: log) {
                let caller = try await authenticator.authenticate(request)
                return try await handler(request, caller)
            }
        }
    }

    private static func guarded(log: RequestLog, _ body: () async throws -> HTTPResponse) async -> HTTPResponse {
        do {
            return try await body()
        } catch let error as PaddockError {
            if error.code == .internal { log.internalError(error.message, requestID: RequestScope.requestID) }
            return ErrorMapping.response(error, requestID: RequestScope.requestID)
        } catch {
            log.internalError(String(describing: error), requestID: RequestScope.requestID)
            return ErrorMapping.response(PaddockError(.internal, String(describing: error)), requestID: RequestScope.requestID)
        }
    }
}

/// Reading request bodies and query parameters.
extension HTTPRequest {
    /// The body parsed as JSON. An empty body counts as `{}` only when `emptyIsObject`.
    func jsonBody(emptyIsObject: Bool = false) throws -> JSONValue {
        if body.isEmpty && emptyIsObject { return .object(JSONObject()) }
        let contentType = header("content-type")?.lowercased() ?? ""
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let mediaType = parts.first ?? ""
        let charset = parts.dropFirst().first { $0.hasPrefix("charset=") }?.dropFirst("charset=".count)
        if mediaType == "application/json", let charset, charset.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) != "utf-8" {
            throw PaddockError(.unsupportedMediaType, "charset '\(charset)' is not supported; JSON bodies are UTF-8, send 'content-type: application/json'")
        }
        guard mediaType == "application/json" else {
            throw PaddockError(.unsupportedMediaType,
                               contentType.isEmpty
                               ? "this route takes a JSON body; send the header 'content-type: application/json'"
                               : "content type '\(contentType)' is not supported here; send 'content-type: application/json'")
        }
        do {
            return try JSONParser.parse(body)
        } catch {
            throw PaddockError(.invalidArgument, "\(error.description); send a single valid JSON object")
        }
    }

    /// An integer query parameter within `range`, or `defaultValue` when absent.
    func queryInt(_ name: String, in range: ClosedRange<Int>, default defaultValue: Int) throws -> Int {
        guard let text = query(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw PaddockError(.invalidArgument,
                               "query parameter '\(name)': '\(text)' is not an integer from \(range.lowerBound) to \(range.upperBound)",
                               param: name)
        }
        return value
    }

    /// Refuses query parameters the route does not know, and any given twice.
    func checkQuery(allowed: [String]) throws {
        var seen: Set<String> = []
        for (name, _) in queryItems where !seen.insert(name).inserted {
            throw PaddockError(.invalidArgument, "query parameter '\(Shown.text(name))' is given twice; give it once", param: name)
        }
        for (name, _) in queryItems where !allowed.contains(name) {
            let known = allowed.isEmpty ? "none" : allowed.map { "'\($0)'" }.joined(separator: ", ")
            throw PaddockError(.invalidArgument, "unknown query parameter '\(name)'; this route accepts \(known)", param: name)
        }
    }
}
