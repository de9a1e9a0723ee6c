/// `paddock session logs SESSION [--follow]`: `GET /v1/sessions/{id}/logs` (text/plain).
struct SessionLogs: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "logs",
        abstract: "print a session's provisioning log",
        parameters: [
            SessionReference.parameter,
            .flag("follow", help: "keep printing as the log grows, until provisioning ends"),
        ])

    let id: String
    let follow: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        id = try SessionReference.id(arguments.argument("session"))
        follow = arguments.flag("follow")
    }

    func run(in context: CommandContext) async throws {
        let client = try context.client()
        let path = SessionReference.path(id, "logs")
        guard follow else {
            let response = try await client.sendRaw("GET", path, accept: "text/plain")
            context.console.writeOutputBytes(response.body)
            return
        }
        let response = try await client.stream("GET", path, query: [("follow", "true")], accept: "text/plain")
        do {
            for try await piece in response.body {
                context.console.writeOutputBytes(piece)
            }
        } catch {
            throw client.unreachable(error)
        }
    }
}
