import PaddockJSON

/// `paddock env create NAME [flags]`: `POST /v1/environments`.
struct EnvironmentCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "create",
        abstract: "create an environment",
        parameters: [
            .argument("name", label: "NAME", isOptional: true,
                      help: "the environment's name, unique in your account (may be left out when --from-file has a name)"),
        ] + EnvironmentFields.parameters + [.json],
        discussion: """
            NETWORK:
              --network unrestricted  any outbound connection (the default)
              --network limited       only --allow-host hosts, plus the package registries
                                      with --allow-package-managers
              --network allowlist     only --domain hosts; without --domain, no network at all

            EXAMPLES:
              paddock env create data-science --apt jq --pip pandas==2.1.0
              paddock env create locked --network allowlist --domain pypi.org
              paddock env create ci --from-file ci.json --metadata team=ml
            """)

    let name: String?
    let fields: EnvironmentFields
    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        name = arguments.argument("name")
        fields = try EnvironmentFields(from: arguments)
        json = arguments.flag("json")
    }

    func validate() throws(CLIFailure) {
        if name == nil && fields.fromFile == nil {
            throw .usage("missing argument NAME")
        }
        try fields.validate()
    }

    /// The request body: only the fields given, `config.type` always `cloud`.
    func body() throws(CLIFailure) -> JSONValue {
        var body = try fields.readBaseBody() ?? JSONObject()
        if let name {
            body["name"] = .string(name)
        } else if body["name"] == nil {
            throw .usage("missing argument NAME (the --from-file body has no \"name\")")
        }
        try fields.applyConfig(to: &body, requireConfig: true)
        if let description = fields.description {
            body["description"] = .string(description)
        }
        try fields.applyMetadata(to: &body)
        return .object(body)
    }

    func run(in context: CommandContext) async throws {
        let body = try body()
        let environment = try await context.client().post("/v1/environments", body: body)
        if json {
            context.printJSON(environment)
        } else {
            context.print(EnvironmentDisplay.detail(environment))
        }
    }
}
