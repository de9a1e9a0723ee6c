import PaddockJSON

/// `paddock accounts create NAME`: `POST /v1/accounts` (admin key only).
struct AccountCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "create",
        abstract: "create an account with its API key and default environment (admin only)",
        parameters: [
            .argument("name", label: "NAME", help: "the account's name"),
            .json,
        ])

    let name: String
    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        name = arguments.argument("name") ?? ""
        json = arguments.flag("json")
    }

    func run(in context: CommandContext) async throws {
        let result = try await context.client().post("/v1/accounts", body: ["name": .string(name)])
        if json {
            context.printJSON(result)
            return
        }
        let account = result["account"]
        let key = result["api_key"]?.stringValue ?? "-"
        context.print("""
            created account \(Display.text(account?["id"])) (\(Display.text(account?["name"]))) with its default environment

            API key:

                \(key)

            This key is shown only once: store it now. Use it with
            PADDOCK_API_KEY=\(key) paddock env list
            """)
    }
}
