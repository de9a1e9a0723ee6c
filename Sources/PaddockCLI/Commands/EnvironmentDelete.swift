/// `paddock env delete ID|NAME`: `DELETE /v1/environments/{id}`.
struct EnvironmentDelete: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "delete",
        abstract: "delete an environment (sessions already running keep running)",
        parameters: [EnvironmentReference.parameter, .json])

    let environment: String
    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        environment = arguments.argument("environment") ?? ""
        json = arguments.flag("json")
    }

    func run(in context: CommandContext) async throws {
        let client = try context.client()
        let id = try await EnvironmentReference.resolve(environment, with: client)
        let result = try await client.delete(EnvironmentReference.path(id))
        if json {
            context.printJSON(result)
        } else if id == environment {
            context.print("deleted environment \(id)")
        } else {
            context.print("deleted environment '\(environment)' (\(id))")
        }
    }
}
