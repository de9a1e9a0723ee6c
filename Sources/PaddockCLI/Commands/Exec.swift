import PaddockJSON

/// `paddock exec SESSION [flags] -- COMMAND [ARG]...`: `POST /v1/sessions/{id}/exec`,
/// streamed; `paddock` exits with the command's exit code.
struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "exec",
        abstract: "run a command in a running session, streaming its output",
        parameters: [SessionReference.parameter] + ExecFields.parameters + [
            .option("env-var", value: "KEY=VALUE", repeating: true,
                    help: "an environment variable for this command; repeat for more"),
            .option("timeout", value: "S", help: "kill the command after this many seconds (server default 600)"),
            .flag("json", help: "wait for the command and print the API's JSON result instead of streaming"),
            ExecFields.commandParameter,
        ],
        discussion: """
            The command's stdout and stderr are written to paddock's stdout and stderr as they
            arrive, byte for byte. paddock exits with the command's exit code: 128+N when signal
            N killed it, 124 when it timed out.

            EXAMPLES:
              paddock exec sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F -- python3 -c 'print(1)'
              paddock exec sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F --cwd /tmp -- ls -la
              paddock exec sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F --shell 'ls | wc -l'
              paddock exec sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F --stdin-file - -- wc -c < data.txt
            """)

    let id: String
    let fields: ExecFields
    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        id = try SessionReference.id(arguments.argument("session"))
        var fields = try ExecFields(from: arguments)
        fields.variables = try arguments.keyValuePairs("env-var")
        fields.timeout = try arguments.positiveInteger("timeout")
        self.fields = fields
        json = arguments.flag("json")
    }

    func validate() throws(CLIFailure) {
        try fields.validate(commandPath: "paddock exec \(id)")
    }

    func run(in context: CommandContext) async throws {
        let stdin = try await fields.readStdin(from: context.console)
        let client = try context.client()
        if json {
            // The whole result as the API returns it, output as UTF-8 text.
            let result = try await client.post(SessionReference.path(id, "exec"),
                                               body: fields.body(stdin: stdin, base64: false))
            context.printJSON(result)
            let code = ExecResult(result).processExitCode
            if code != 0 { throw ExecExit(code: code, message: nil) }
            return
        }
        let result = try await ExecStream.run(session: id, body: fields.body(stdin: stdin), client: client,
                                              console: context.console)
        if result.truncated {
            context.note("note: the server cut the command's output at its size cap")
        }
        if let exit = result.exit { throw exit }
    }
}
