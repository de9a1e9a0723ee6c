import Foundation
import PaddockCore
import PaddockJSON

/// Writes one JSON line per request (and per internal error) to standard error.
final class RequestLog: Sendable {
    private let enabled: Bool

    init(enabled: Bool = true) { self.enabled = enabled }

    /// Logs a finished request.
    func request(id: String, method: String, route: String, path: String, status: Int, durationMs: Double) {
        guard enabled else { return }
        let line: JSONValue = [
            "time": .string(Timestamp.now()), "level": "info", "msg": "request",
            "request_id": .string(id), "method": .string(method), "route": .string(route), "path": .string(path),
            "status": .number(JSONNumber(status)), "duration_ms": .number(JSONNumber((durationMs * 1000).rounded() / 1000)),
        ]
        write(line)
    }

    /// Logs an internal error; the client only sees the request id.
    func internalError(_ message: String, requestID: String) {
        write(["time": .string(Timestamp.now()), "level": "error", "msg": .string(message), "request_id": .string(requestID)])
    }

    /// Logs a server event (start, stop).
    func event(_ message: String, _ fields: [(String, JSONValue)] = []) {
        var object = JSONObject([("time", .string(Timestamp.now())), ("level", "info"), ("msg", .string(message))])
        for (k, v) in fields { object[k] = v }
        write(.object(object))
    }

    private func write(_ value: JSONValue) {
        var bytes = JSONWriter.bytes(value)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { buffer in _ = Foundation.write(2, buffer.baseAddress, buffer.count) }
    }
}
