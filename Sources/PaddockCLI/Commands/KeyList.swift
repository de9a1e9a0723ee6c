import PaddockJSON

/// `paddock keys list`: `GET /v1/api_keys`.
struct KeyList: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "list",
        abstract: "list your account's API keys (their prefixes, never the keys)",
        parameters: [.json])

    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        json = arguments.flag("json")
    }

    func run(in context: CommandContext) async throws {
        let result = try await context.client().get("/v1/api_keys")
        if json {
            context.printJSON(result)
            return
        }
        // A list object like environments (`{"data": [...]}`), or a bare array.
        let keys = result["data"]?.arrayValue ?? result.arrayValue ?? []
        guard !keys.isEmpty else {
            context.print("no API keys")
            return
        }
        context.print(TextTable(headers: ["ID", "NAME", "PREFIX", "CREATED"], rows: keys.map { key in
            [Display.text(key["id"]), Display.text(key["name"]), Display.text(key["prefix"]),
             Display.timestamp(key["created_at"])]
        }).render())
    }
}
