/// `paddock accounts me`: `GET /v1/accounts/me`.
struct AccountMe: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "me",
        abstract: "show the account the API key belongs to",
        parameters: [.json])

    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        json = arguments.flag("json")
    }

    func run(in context: CommandContext) async throws {
        let account = try await context.client().get("/v1/accounts/me")
        if json {
            context.printJSON(account)
        } else {
            context.print(Display.block(account))
        }
    }
}
