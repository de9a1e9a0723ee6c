/// `paddock session delete SESSION`: `DELETE /v1/sessions/{id}` (idempotent).
struct SessionDelete: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "delete",
        abstract: "end a session and free everything it held (deleting an ended session is fine)",
        parameters: [SessionReference.parameter, .json])

    let id: String
    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        id = try SessionReference.id(arguments.argument("session"))
        json = arguments.flag("json")
    }

    func run(in context: CommandContext) async throws {
        let session = try await context.client().delete(SessionReference.path(id))
        if json {
            context.printJSON(session)
            return
        }
        let status = session["status"]?.stringValue ?? "terminated"
        let reason = session["termination_reason"]?.stringValue.map { ", reason: \($0)" } ?? ""
        context.print("deleted session \(id) (\(status)\(reason))")
    }
}
