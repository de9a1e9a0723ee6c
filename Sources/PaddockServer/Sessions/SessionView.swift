import PaddockCore
import PaddockJSON
import PaddockRuntime
import PaddockStore

/// A session as the API shows it: the stored record, with the live steps while it provisions.
struct SessionView: Sendable {
    let record: SessionRecord
    /// The steps reported so far by a provisioning still under way (nil once it has ended).
    let liveSteps: [ProvisioningStep]?

    /// The session object of api.md.
    func json() throws -> JSONValue {
        let steps: JSONValue = if let liveSteps {
            SessionJSON.steps(liveSteps)
        } else {
            try JSONParser.parse(Array(record.stepsJSON.utf8))
        }
        return .object(JSONObject([
            ("id", .string(record.id)),
            ("type", "session"),
            ("environment_id", .string(record.environmentID)),
            ("environment", .object(JSONObject([
                ("name", .string(record.environmentName)),
                ("config", try JSONParser.parse(Array(record.configJSON.utf8))),
            ]))),
            ("status", .string(record.status)),
            ("error", try record.errorJSON.map { try JSONParser.parse(Array($0.utf8)) } ?? .null),
            ("termination_reason", .string(record.terminationReason)),
            ("resources", try JSONParser.parse(Array(record.resourcesJSON.utf8))),
            ("env", try JSONParser.parse(Array(record.envJSON.utf8))),
            ("timeout_seconds", .number(JSONNumber(record.timeoutSeconds))),
            ("idle_timeout_seconds", .number(JSONNumber(record.idleTimeoutSeconds))),
            ("metadata", try JSONParser.parse(Array(record.metadataJSON.utf8))),
            ("provisioning", .object(JSONObject([("steps", steps)]))),
            ("created_at", .string(record.createdAt)),
            ("started_at", .string(record.startedAt)),
            ("ended_at", .string(record.endedAt)),
        ]))
    }
}

/// The JSON forms of a session's parts, shared by the service (which stores them) and the view.
enum SessionJSON {
    static func steps(_ steps: [ProvisioningStep]) -> JSONValue {
        .array(steps.map { step in
            .object(JSONObject([
                ("name", .string(step.name)),
                ("status", .string(step.status.rawValue)),
                ("duration_ms", .number(JSONNumber(step.durationMs))),
            ]))
        })
    }

    static func error(type: String, message: String) -> JSONValue {
        .object(JSONObject([("type", .string(type)), ("message", .string(message))]))
    }
}
