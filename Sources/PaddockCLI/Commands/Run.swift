import PaddockJSON

/// `paddock run --env NAME|ID [flags] -- COMMAND [ARG]...`: a session for one command.
///
/// Creates the session without waiting (`POST /v1/sessions`, `wait: false`), polls it while
/// it provisions (live steps on a terminal), runs the command streamed
/// (`POST …/exec`), and deletes the session (`DELETE /v1/sessions/{id}`) whatever happened:
/// after the command, after a failure, and on Ctrl-C. Exits with the command's exit code.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "run",
        abstract: "run one command in a new session, then delete the session",
        parameters: SessionFields.parameters + [
            .option("timeout", value: "S",
                    help: "kill the command after this many seconds (server default 600); the session may live \(provisioningAllowance / 60) minutes longer, for provisioning"),
        ] + ExecFields.parameters + [ExecFields.commandParameter],
        discussion: """
            Provisioning steps are shown live when standard error is a terminal, and printed
            only on failure otherwise. The session is deleted when the command ends, when
            provisioning fails, and on Ctrl-C. paddock exits with the command's exit code
            (128+N when signal N killed it, 124 when it timed out, 130 on Ctrl-C).

            EXAMPLES:
              paddock run --env data-science -- python3 -c 'import pandas; print(pandas.__version__)'
              paddock run --env default --memory 512 --shell 'uname -a; id'
            """)

    /// Seconds the session lives beyond the command's `--timeout`: provisioning comes first.
    static let provisioningAllowance = 600

    let session: SessionFields
    let exec: ExecFields

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        session = try SessionFields(from: arguments)
        var exec = try ExecFields(from: arguments)
        exec.timeout = try arguments.positiveInteger("timeout")
        self.exec = exec
    }

    func validate() throws(CLIFailure) {
        try session.validate()
        try exec.validate(commandPath: "paddock run --env \(session.environment ?? "NAME")")
    }

    /// The create body: `wait: false`, and a session timeout covering the command's.
    var createBody: JSONValue {
        var body = session.body()
        if let timeout = exec.timeout {
            body["timeout_seconds"] = .number(JSONNumber(timeout + Self.provisioningAllowance))
        }
        body["wait"] = false
        return .object(body)
    }

    func run(in context: CommandContext) async throws {
        let stdin = try await exec.readStdin(from: context.console)
        let execBody = exec.body(stdin: stdin)
        let client = try context.client()
        let console = context.console

        let watch = RunInterruptWatch(context.interrupts)
        defer { watch.stop() }
        let created = try await client.post("/v1/sessions", body: createBody)
        guard let id = created["id"]?.stringValue else {
            throw CLIFailure.failed("the server's answer to POST /v1/sessions has no session id")
        }

        var failure: (any Error)?
        var result: ExecResult?
        do {
            _ = try await watch.cancellable {
                try await RunProvisioning(client: client, console: console).waitUntilRunning(created)
            }
            result = try await watch.cancellable {
                try await ExecStream.run(session: id, body: execBody, client: client, console: console)
            }
        } catch {
            failure = error
        }

        let deleted: Bool
        do {
            _ = try await client.delete(SessionReference.path(id))
            deleted = true
        } catch {
            deleted = false
            context.note("error: could not delete session \(id): \(error.failure.message); delete it with `paddock session delete \(id)`")
        }
        if let signal = watch.received {
            throw ExecExit(code: 128 + signal, message: "interrupted" + (deleted ? "; deleted session \(id)" : ""))
        }
        if let failure { throw failure }
        if result?.truncated == true {
            context.note("note: the server cut the command's output at its size cap")
        }
        if let exit = result?.exit { throw exit }
    }
}

private extension Error {
    /// The error as the CLI reports it.
    var failure: CLIFailure {
        self as? CLIFailure ?? .failed(String(describing: self))
    }
}
