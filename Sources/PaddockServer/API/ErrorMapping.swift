import PaddockCore
import PaddockHTTP
import PaddockJSON

/// The one place where a `PaddockError` becomes an HTTP status and an error type.
/// The CLI maps the other way with the same table (`error.type` → exit code and message).
public enum ErrorMapping {
    /// The HTTP status and `error.type` for each error code.
    public static func wire(_ code: PaddockError.Code) -> (status: Int, type: String) {
        switch code {
        case .invalidArgument: (400, "invalid_request_error")
        case .unauthenticated: (401, "authentication_error")
        case .permissionDenied: (403, "permission_error")
        case .notFound: (404, "not_found_error")
        case .methodNotAllowed: (405, "invalid_request_error")
        case .conflict: (409, "conflict_error")
        case .tooLarge: (413, "request_too_large")
        case .unsupportedMediaType: (415, "invalid_request_error")
        case .overloaded: (503, "overloaded_error")
        case .internal: (500, "api_error")
        }
    }

    /// The error response for `error`. Internal errors never show their message to the client.
    static func response(_ error: PaddockError, requestID: String) -> HTTPResponse {
        let (status, type) = wire(error.code)
        let message = error.code == .internal
            ? "internal error; the server logged it with request id \(requestID)"
            : error.message
        var body: JSONObject = ["type": "error", "error": ["type": .string(type), "message": .string(message)]]
        if let param = error.param, error.code != .internal {
            body["error"] = ["type": .string(type), "message": .string(message), "param": .string(param)]
        }
        body["request_id"] = .string(requestID)
        return JSONResponse.make(status: status, .object(body))
    }
}

/// Builds JSON responses.
enum JSONResponse {
    static func make(status: Int = 200, _ value: JSONValue) -> HTTPResponse {
        make(status: status, body: body(value))
    }

    /// A response whose body is already rendered by `body(_:)`.
    static func make(status: Int = 200, body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("content-type", "application/json")], body: .bytes(body))
    }

    /// The bytes of a JSON body: the compact JSON and a newline.
    static func body(_ value: JSONValue) -> [UInt8] {
        var bytes = JSONWriter.bytes(value)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
