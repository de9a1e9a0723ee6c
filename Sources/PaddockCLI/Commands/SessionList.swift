import PaddockCore
import PaddockJSON

/// `paddock session list`: `GET /v1/sessions`, newest first.
struct SessionList: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "list",
        abstract: "list sessions, newest first",
        parameters: [
            .option("status", value: "STATUS",
                    help: "only sessions with this status: provisioning, running, failed or terminated"),
            .option("env", value: "NAME|ID", help: "only sessions started from this environment (its name or id)"),
            .option("limit", value: "N", help: "how many to list (1-100, default 20)"),
            .json,
        ])

    let status: SessionStatus?
    let environment: String?
    let limit: Int?
    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        status = try arguments.choice("status", as: SessionStatus.self)
        environment = arguments.value("env")
        limit = try arguments.integer("limit", in: 1...100)
        json = arguments.flag("json")
    }

    /// The query: `limit`, `status`, `environment_id`, in that order, only when given.
    func query(environmentID: String?) -> [(String, String)] {
        var query: [(String, String)] = []
        if let limit { query.append(("limit", String(limit))) }
        if let status { query.append(("status", status.rawValue)) }
        if let environmentID { query.append(("environment_id", environmentID)) }
        return query
    }

    func run(in context: CommandContext) async throws {
        let client = try context.client()
        var environmentID: String?
        if let environment {
            environmentID = try await EnvironmentReference.resolve(environment, with: client)
        }
        let page = try await client.get("/v1/sessions", query: query(environmentID: environmentID))
        if json {
            context.printJSON(page)
            return
        }
        let sessions = page["data"]?.arrayValue ?? []
        if sessions.isEmpty {
            context.print("no sessions")
        } else {
            context.print(SessionDisplay.table(sessions))
        }
        if page["has_more"]?.boolValue == true {
            context.note("more sessions exist; raise --limit (at most 100) or filter with --status or --env")
        }
    }
}
