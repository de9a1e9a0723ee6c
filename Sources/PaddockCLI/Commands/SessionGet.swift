/// `paddock session get SESSION`: `GET /v1/sessions/{id}`.
struct SessionGet: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "get",
        abstract: "show a session: status, environment, resources and provisioning steps",
        parameters: [SessionReference.parameter, .json])

    let id: String
    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        id = try SessionReference.id(arguments.argument("session"))
        json = arguments.flag("json")
    }

    func run(in context: CommandContext) async throws {
        let session = try await context.client().get(SessionReference.path(id))
        if json {
            context.printJSON(session)
        } else {
            context.print(SessionDisplay.detail(session))
        }
    }
}
