import Foundation
import PaddockJSON
@testable import PaddockCLI

/// A session object as the API returns it (api.md, "Session object").
func sessionFixture(id: String = "sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F", status: String = "running",
                    environmentID: String = "env_01JEX6Q0W5M3T9ZK8B7N2C4D6F", environmentName: String = "data-science",
                    steps: [JSONValue] = [["name": "base", "status": "cached", "duration_ms": 0],
                                          ["name": "apt", "status": "built", "duration_ms": 8123]],
                    error: JSONValue = nil, terminationReason: JSONValue? = nil,
                    createdAt: String = "2026-12-03T16:39:34.123Z") -> JSONValue {
    var object: JSONObject = [
        "id": .string(id), "type": "session", "environment_id": .string(environmentID),
        "environment": ["name": .string(environmentName), "config": ["type": "cloud"]],
        "status": .string(status), "error": error,
        "resources": ["cpus": 2, "memory_mb": 4096, "pids": 1024, "disk_mb": 10240],
        "env": ["FOO": "bar"], "timeout_seconds": 3600, "idle_timeout_seconds": 900, "metadata": [:],
        "provisioning": ["steps": .array(steps)],
        "created_at": .string(createdAt), "started_at": status == "provisioning" ? nil : "2026-12-03T16:39:35.000Z",
        "ended_at": nil,
    ]
    if let terminationReason { object["termination_reason"] = terminationReason }
    return .object(object)
}

/// NDJSON bytes: one compact JSON value per line.
func ndjson(_ events: [JSONValue]) -> [UInt8] {
    events.flatMap { JSONWriter.bytes($0) + [UInt8(ascii: "\n")] }
}

/// An output event with base64 data, as the server sends with `encoding: base64`.
func outputEvent(_ stream: String, _ bytes: [UInt8]) -> JSONValue {
    ["type": .string(stream), "data": .string(Data(bytes).base64EncodedString())]
}

/// An output event carrying text.
func outputEvent(_ stream: String, _ text: String) -> JSONValue {
    outputEvent(stream, Array(text.utf8))
}

/// The final exit event.
func exitEvent(code: JSONValue = 0, signal: JSONValue = nil, timedOut: Bool = false, truncated: Bool = false,
               oomKilled: Bool = false, durationMS: Int = 12) -> JSONValue {
    ["type": "exit", "exit_code": code, "signal": signal, "timed_out": .bool(timedOut),
     "truncated": .bool(truncated), "oom_killed": .bool(oomKilled), "duration_ms": .number(JSONNumber(durationMS))]
}

/// A streamed exec answer.
func execResponse(_ events: [JSONValue], holdOpen: Bool = false) -> APIResponse {
    var headers = ["content-type": "application/x-ndjson"]
    if holdOpen { headers["x-fake-hold-open"] = "1" }
    return APIResponse(status: 200, headers: headers, body: ndjson(events))
}

/// Interrupts a test delivers by hand, e.g. when the fake server sees a request.
final class ManualInterrupts: Sendable {
    let stream: AsyncStream<Int32>
    let continuation: AsyncStream<Int32>.Continuation

    init() {
        (stream, continuation) = AsyncStream<Int32>.makeStream()
    }

    /// The interrupts to hand to `runCLI`.
    var interrupts: Interrupts {
        let stream = self.stream
        return Interrupts { stream }
    }

    /// Delivers Ctrl-C.
    func interrupt(_ signal: Int32 = SIGINT) {
        continuation.yield(signal)
    }
}
