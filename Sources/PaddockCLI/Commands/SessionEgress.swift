import PaddockCore
import PaddockJSON

/// The decisions `--decision` filters on.
enum EgressDecision: String, CaseIterable {
    case allowed
    case denied
}

/// `paddock session egress SESSION`: `GET /v1/sessions/{id}/egress`, the session's network
/// audit log (every outbound attempt, allowed or denied), oldest first.
struct SessionEgress: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "egress",
        abstract: "show a session's network audit log: every outbound attempt and its decision",
        parameters: [
            SessionReference.parameter,
            .option("decision", value: "allowed|denied", help: "only attempts with this decision"),
            .option("limit", value: "N", help: "how many events per page (1-100, default 20)"),
            .option("after", value: "EVENT_ID", help: "start after this event id (the last id of an earlier page)"),
            .flag("all", help: "follow the pages to the end of the log"),
            .json,
        ],
        discussion: """
            Each row is one connection through the egress proxy (connect, http), one
            connection caught on ports 80/443 (transparent-tls, transparent-http) or one DNS
            query (dns), with the decision and, for a denial, its reason.

            examples:
              paddock session egress SESSION --decision denied
              paddock session egress SESSION --all --json
            """)

    let id: String
    let decision: EgressDecision?
    let limit: Int?
    let after: Int?
    let all: Bool
    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        id = try SessionReference.id(arguments.argument("session"))
        decision = try arguments.choice("decision", as: EgressDecision.self)
        limit = try arguments.integer("limit", in: 1...100)
        after = try arguments.integer("after", in: 0...Int.max)
        all = arguments.flag("all")
        json = arguments.flag("json")
    }

    /// The query of one page: `limit`, `after`, `decision`, only when given.
    func query(after cursor: Int?) -> [(String, String)] {
        var query: [(String, String)] = []
        if let limit { query.append(("limit", String(limit))) }
        if let cursor { query.append(("after_id", String(cursor))) }
        if let decision { query.append(("decision", decision.rawValue)) }
        return query
    }

    func run(in context: CommandContext) async throws {
        let client = try context.client()
        let path = SessionReference.path(id, "egress")
        var events: [JSONValue] = []
        var cursor = after
        var page: JSONValue
        var firstID: JSONValue?
        repeat {
            page = try await client.get(path, query: query(after: cursor))
            if firstID == nil { firstID = page["first_id"] ?? .null }
            events += page["data"]?.arrayValue ?? []
            cursor = page["last_id"]?.numberValue?.intValue ?? cursor
        } while all && page["has_more"]?.boolValue == true
        if json {
            context.printJSON(all ? ["data": .array(events), "has_more": false, "first_id": firstID ?? .null,
                                     "last_id": cursor.map { .number(JSONNumber($0)) } ?? .null]
                                  : page)
            return
        }
        context.print(events.isEmpty ? "no egress events" : EgressDisplay.table(events))
        if page["has_more"]?.boolValue == true, let cursor {
            context.note("more events exist; show them with --after \(cursor), or all of them with --all")
        }
    }
}

/// How audit events look in text output.
enum EgressDisplay {
    /// The `session egress` table.
    static func table(_ events: [JSONValue]) -> String {
        TextTable(headers: ["ID", "TIME", "PROTOCOL", "HOST", "PORT", "ADDRESS", "DECISION", "REASON", "UP", "DOWN", "MS"],
                  rows: events.map { event in
            [Display.text(event["id"]), Display.timestamp(event["time"]), Display.text(event["protocol"]),
             Display.text(event["host"]), Display.text(event["port"]), Display.text(event["address"]),
             Display.text(event["decision"]), Display.text(event["reason"]), Display.text(event["bytes_up"]),
             Display.text(event["bytes_down"]), Display.text(event["duration_ms"])]
        }).render()
    }
}
