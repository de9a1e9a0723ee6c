import PaddockJSON

/// How sessions look in text output: a row of `session list`, the block of `session get`,
/// and the lines of their provisioning steps.
enum SessionDisplay {
    /// The `session list` table.
    static func table(_ sessions: [JSONValue]) -> String {
        TextTable(headers: ["ID", "STATUS", "ENVIRONMENT", "CREATED", "REASON"], rows: sessions.map { session in
            [Display.text(session["id"]), Display.text(session["status"]), environmentName(session),
             Display.timestamp(session["created_at"]), reason(session)]
        }).render()
    }

    /// The environment's name from the snapshot, else its id.
    static func environmentName(_ session: JSONValue) -> String {
        session["environment"]?["name"]?.stringValue ?? Display.text(session["environment_id"])
    }

    /// Why a session ended: the termination reason, or the failure's message cut to fit a row.
    static func reason(_ session: JSONValue) -> String {
        if let reason = session["termination_reason"]?.stringValue { return reason }
        if let message = session["error"]?["message"]?.stringValue {
            let line = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            return line.count > 60 ? String(line.prefix(59)) + "…" : line
        }
        return "-"
    }

    /// The `session get` block.
    static func detail(_ session: JSONValue) -> String {
        var block = DetailBlock()
        block.add("id", Display.text(session["id"]))
        block.add("status", Display.text(session["status"]))
        if let reason = session["termination_reason"], !reason.isNull {
            block.add("reason", reason.displayText)
        }
        if let error = session["error"], !error.isNull {
            let type = error["type"]?.stringValue.map { "\($0): " } ?? ""
            block.add("error", type + Display.text(error["message"]))
        }
        var environment = environmentName(session)
        if let id = session["environment_id"]?.stringValue, id != environment {
            environment += " (\(id))"
        }
        block.add("environment", environment)
        block.add("resources", resources(session["resources"]))
        block.add("env", pairs(session["env"]))
        block.add("timeout", seconds(session["timeout_seconds"]))
        block.add("idle timeout", seconds(session["idle_timeout_seconds"]))
        block.add("metadata", pairs(session["metadata"]))
        let steps = session["provisioning"]?["steps"]?.arrayValue ?? []
        block.add("steps", steps.isEmpty ? "-" : TextTable(headers: [], rows: steps.map(stepCells)).renderRows())
        block.add("created", Display.timestamp(session["created_at"]))
        block.add("started", Display.timestamp(session["started_at"]))
        block.add("ended", Display.timestamp(session["ended_at"]))
        return block.render()
    }

    /// `2 cpus, 4096 MiB memory, 1024 pids, 10240 MiB disk`, with only the fields present.
    static func resources(_ resources: JSONValue?) -> String {
        guard let resources, resources.objectValue != nil else { return "-" }
        var parts: [String] = []
        if let cpus = resources["cpus"], !cpus.isNull { parts.append("\(cpus.displayText) cpus") }
        if let memory = resources["memory_mb"], !memory.isNull { parts.append("\(memory.displayText) MiB memory") }
        if let pids = resources["pids"], !pids.isNull { parts.append("\(pids.displayText) pids") }
        if let disk = resources["disk_mb"], !disk.isNull { parts.append("\(disk.displayText) MiB disk") }
        return parts.isEmpty ? "-" : parts.joined(separator: ", ")
    }

    /// An object of strings as `KEY=VALUE` lines, or `-`.
    static func pairs(_ value: JSONValue?) -> String {
        let object = value?.objectValue ?? JSONObject()
        return object.isEmpty ? "-" : object.map { "\($0.key)=\($0.value.displayText)" }.joined(separator: "\n")
    }

    /// `3600 s`, or `-`.
    static func seconds(_ value: JSONValue?) -> String {
        guard let value, !value.isNull else { return "-" }
        return "\(value.displayText) s"
    }

    /// One provisioning step as cells: name, status, duration.
    static func stepCells(_ step: JSONValue) -> [String] {
        [Display.text(step["name"]), Display.text(step["status"]), duration(step["duration_ms"])]
    }

    /// `850 ms`, `8.1 s`, `2m 05s`, or `-` while unknown.
    static func duration(_ value: JSONValue?) -> String {
        guard let milliseconds = value?.numberValue?.intValue else { return "-" }
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        if milliseconds < 60_000 {
            let tenths = (milliseconds + 50) / 100
            return "\(tenths / 10).\(tenths % 10) s"
        }
        let seconds = (milliseconds + 500) / 1000
        let remainder = seconds % 60
        return "\(seconds / 60)m \(remainder < 10 ? "0" : "")\(remainder)s"
    }

    /// The message of a failed session, naming the session: what `run` and `create --wait` print.
    static func failureMessage(_ session: JSONValue) -> String {
        let id = Display.text(session["id"])
        let message = session["error"]?["message"]?.stringValue ?? "no reason given"
        return "session \(id) failed to start: \(message)"
    }
}

extension TextTable {
    /// The rows without the header line (for tables inside a block).
    func renderRows() -> String {
        TextTable(headers: rows.first.map { $0.map { _ in "" } } ?? [], rows: rows).render()
            .split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n")
    }
}
