import PaddockJSON

/// `paddock env list`: `GET /v1/environments`, one page or (with `--all`) every page.
struct EnvironmentList: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "list",
        abstract: "list environments, newest first",
        parameters: [
            .option("limit", value: "N", help: "how many to list (1-100, default 20); with --all, how many per request"),
            .option("name", value: "NAME", help: "only the environment with exactly this name"),
            .flag("all", help: "follow the pages until every environment is listed"),
            .json,
        ])

    /// Page size used by `--all` when `--limit` is not given.
    static let allPageSize = 100

    let limit: Int?
    let name: String?
    let all: Bool
    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        limit = try arguments.integer("limit", in: 1...100)
        name = arguments.value("name")
        all = arguments.flag("all")
        json = arguments.flag("json")
    }

    /// The query of one request.
    func query(after cursor: String?) -> [(String, String)] {
        var query: [(String, String)] = []
        if let pageSize = limit ?? (all ? Self.allPageSize : nil) {
            query.append(("limit", String(pageSize)))
        }
        if let name { query.append(("name", name)) }
        if let cursor { query.append(("after_id", cursor)) }
        return query
    }

    func run(in context: CommandContext) async throws {
        let client = try context.client()
        guard all else {
            let page = try await client.get("/v1/environments", query: query(after: nil))
            if json {
                context.printJSON(page)
                return
            }
            show(page["data"]?.arrayValue ?? [], in: context)
            if page["has_more"]?.boolValue == true {
                context.note("more environments exist; use --all to list every one")
            }
            return
        }

        var environments: [JSONValue] = []
        var cursor: String?
        while true {
            let page = try await client.get("/v1/environments", query: query(after: cursor))
            environments += page["data"]?.arrayValue ?? []
            guard page["has_more"]?.boolValue == true, let last = page["last_id"]?.stringValue else { break }
            guard last != cursor else {
                throw CLIFailure.failed("the server returned the same page twice (last_id \(last)); stopping")
            }
            cursor = last
        }
        if json {
            context.printJSON(.array(environments))
        } else {
            show(environments, in: context)
        }
    }

    private func show(_ environments: [JSONValue], in context: CommandContext) {
        if environments.isEmpty {
            context.print(name.map { "no environment named '\($0)'" } ?? "no environments")
        } else {
            context.print(EnvironmentDisplay.table(environments))
        }
    }
}
