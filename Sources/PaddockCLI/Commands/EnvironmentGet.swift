/// `paddock env get ID|NAME`: `GET /v1/environments/{id}`.
struct EnvironmentGet: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "get",
        abstract: "show one environment",
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
        let object = try await client.get(EnvironmentReference.path(id))
        if json {
            context.printJSON(object)
        } else {
            context.print(EnvironmentDisplay.detail(object))
        }
    }
}
