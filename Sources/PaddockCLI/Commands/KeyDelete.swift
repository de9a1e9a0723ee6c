/// `paddock keys delete ID`: `DELETE /v1/api_keys/{id}`.
struct KeyDelete: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "delete",
        abstract: "delete one of your API keys; requests with it fail from then on",
        parameters: [
            .argument("id", label: "ID", help: "the key's id (key_…), as `paddock keys list` shows it"),
            .json,
        ])

    let id: String
    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        id = arguments.argument("id") ?? ""
        json = arguments.flag("json")
    }

    func run(in context: CommandContext) async throws {
        let result = try await context.client().delete(URLEncoding.path("/v1/api_keys", id))
        if json {
            context.printJSON(result)
        } else {
            context.print("deleted API key \(id)")
        }
    }
}
