import PaddockJSON

/// `paddock session create --env NAME|ID [flags]`: `POST /v1/sessions`.
struct SessionCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "create",
        abstract: "start a session from an environment",
        parameters: SessionFields.parameters + [
            .option("timeout", value: "S", help: "end the session after this many seconds (server default 3600)"),
            .option("idle-timeout", value: "S",
                    help: "end the session after this many seconds without an exec or file call (server default 900)"),
            .flag("wait", help: "return only when the session is running or has failed"),
            .json,
        ],
        discussion: """
            Without --wait the session is returned at once, still provisioning; follow it with
            `paddock session logs SESSION --follow` or `paddock session get SESSION`.

            EXAMPLES:
              paddock session create --env data-science --wait
              paddock session create --env env_01JEX6Q0W5M3T9ZK8B7N2C4D6F --cpus 2 --memory 4096
              paddock session create --env default --env-var DEBUG=1 --timeout 600
            """)

    /// How long `--wait` waits for the server: provisioning may build packages for minutes.
    static let waitTimeout: Double = 3600

    let fields: SessionFields
    let timeout: Int?
    let idleTimeout: Int?
    let wait: Bool
    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        fields = try SessionFields(from: arguments)
        timeout = try arguments.positiveInteger("timeout")
        idleTimeout = try arguments.positiveInteger("idle-timeout")
        wait = arguments.flag("wait")
        json = arguments.flag("json")
    }

    func validate() throws(CLIFailure) {
        try fields.validate()
    }

    /// The request body: only the fields given, `wait: true` with `--wait`.
    var body: JSONValue {
        var body = fields.body()
        if let timeout { body["timeout_seconds"] = .number(JSONNumber(timeout)) }
        if let idleTimeout { body["idle_timeout_seconds"] = .number(JSONNumber(idleTimeout)) }
        if wait { body["wait"] = true }
        return .object(body)
    }

    func run(in context: CommandContext) async throws {
        let session = try await context.client().post("/v1/sessions", body: body,
                                                      timeout: wait ? Self.waitTimeout : nil)
        if json {
            context.printJSON(session)
        } else {
            context.print(SessionDisplay.detail(session))
        }
        if wait, session["status"]?.stringValue == "failed" {
            throw CLIFailure.failed(SessionDisplay.failureMessage(session))
        }
    }
}
