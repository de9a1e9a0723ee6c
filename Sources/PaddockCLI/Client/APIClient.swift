import Foundation
import PaddockCore
import PaddockJSON

/// Sends JSON requests to the Paddock API and turns error responses into `CLIFailure`s.
struct APIClient: Sendable {
    /// The server's base URL, for error messages.
    let baseURL: String
    /// The key sent as `authorization: Bearer KEY`.
    let apiKey: String
    /// Where the key came from (`--api-key`, `PADDOCK_API_KEY` or the admin.key path), for
    /// the hint on a 401.
    var apiKeySource = "--api-key"
    /// Where requests go.
    let transport: any APITransport

    /// `GET path?query`.
    func get(_ path: String, query: [(String, String)] = []) async throws(CLIFailure) -> JSONValue {
        try await send("GET", path, query: query, body: nil)
    }

    /// `POST path` with a JSON body; `timeout` for calls the server may hold open.
    func post(_ path: String, body: JSONValue, timeout: Double? = nil) async throws(CLIFailure) -> JSONValue {
        try await send("POST", path, query: [], body: body, timeout: timeout)
    }

    /// `DELETE path`.
    func delete(_ path: String) async throws(CLIFailure) -> JSONValue {
        try await send("DELETE", path, query: [], body: nil)
    }

    /// Sends one request and returns the decoded JSON body of a 2xx answer.
    func send(_ method: String, _ path: String, query: [(String, String)],
              body: JSONValue?, timeout: Double? = nil) async throws(CLIFailure) -> JSONValue {
        var headers = ["authorization": "Bearer \(apiKey)", "accept": "application/json"]
        var bodyBytes: [UInt8]?
        if let body {
            headers["content-type"] = "application/json"
            bodyBytes = JSONWriter.bytes(body)
        }
        let request = APIRequest(method: method, path: path + URLEncoding.query(query),
                                 headers: headers, body: bodyBytes, timeout: timeout)
        let response: APIResponse
        do {
            response = try await transport.send(request)
        } catch let error as TransportError {
            throw .unreachable(url: baseURL, detail: error.message)
        } catch {
            throw .unreachable(url: baseURL, detail: String(describing: error))
        }
        do {
            return try Self.decode(response)
        } catch .api(var error) where error.code == .unauthenticated {
            error.message += " (the key came from \(apiKeySource))"
            throw .api(error)
        }
    }

    /// The JSON of a 2xx response, or the failure an error response describes.
    static func decode(_ response: APIResponse) throws(CLIFailure) -> JSONValue {
        let json: JSONValue? = response.body.isEmpty ? nil : try? JSONParser.parse(response.body)
        guard (200..<300).contains(response.status) else {
            let code = Self.errorCode(status: response.status)
            if let error = json?["error"], let message = error["message"]?.stringValue {
                throw .api(PaddockError(code, message, param: error["param"]?.stringValue))
            }
            let text = String(decoding: response.body.prefix(200), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw .api(PaddockError(code, "HTTP \(response.status)" + (text.isEmpty ? "" : ": \(text)")))
        }
        if response.body.isEmpty { return JSONValue.null }
        guard let json else {
            throw .failed("the answer (HTTP \(response.status)) is not JSON; does --url point at Paddock?")
        }
        return json
    }

    /// The inverse of the server's `ErrorMapping`: the status of an error response back to
    /// its `PaddockError.Code` (the status is unique per code; `error.type` is not).
    static func errorCode(status: Int) -> PaddockError.Code {
        switch status {
        case 401: .unauthenticated
        case 403: .permissionDenied
        case 404: .notFound
        case 405: .methodNotAllowed
        case 409: .conflict
        case 413: .tooLarge
        case 415: .unsupportedMediaType
        case 503: .overloaded
        case 500...: .internal
        default: .invalidArgument
        }
    }
}
