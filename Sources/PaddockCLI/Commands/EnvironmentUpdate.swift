import PaddockJSON

/// `paddock env update ID|NAME [flags]`: `POST /v1/environments/{id}` with only the changes.
struct EnvironmentUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "update",
        abstract: "change an environment; only the fields you give change",
        parameters: [EnvironmentReference.parameter]
            + [.option("name", value: "NEW", help: "rename the environment")]
            + EnvironmentFields.parameters
            + [
                .flag("clear-description", help: "remove the description"),
                .flag("clear-setup-script", help: "remove the setup script"),
                .flag("clear-packages", help: "remove every apt, pip and npm package"),
                .option("unset-metadata", value: "KEY", repeating: true, help: "remove a metadata key; repeat for more"),
                .json,
            ],
        discussion: """
            Package flags replace that manager's list: --pip replaces the pip packages and
            keeps apt and npm as they are (to add one pip package, list the pip packages to
            keep as well). A --network flag replaces the whole network policy. --metadata and
            --unset-metadata change only the keys they name.

            EXAMPLES:
              paddock env update data-science --pip pandas==2.2.0 --pip numpy
              paddock env update web --network limited --allow-package-managers
              paddock env update web --name web-old --unset-metadata owner
            """)

    let environment: String
    let newName: String?
    let fields: EnvironmentFields
    let clearDescription: Bool
    let clearSetupScript: Bool
    let clearPackages: Bool
    let unsetMetadata: [String]
    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        environment = arguments.argument("environment") ?? ""
        newName = arguments.value("name")
        fields = try EnvironmentFields(from: arguments)
        clearDescription = arguments.flag("clear-description")
        clearSetupScript = arguments.flag("clear-setup-script")
        clearPackages = arguments.flag("clear-packages")
        unsetMetadata = arguments.values("unset-metadata")
        json = arguments.flag("json")
    }

    func validate() throws(CLIFailure) {
        try fields.validate()
        if fields.description != nil && clearDescription {
            throw .usage("--description and --clear-description contradict each other; give one")
        }
        if fields.setupScriptPath != nil && clearSetupScript {
            throw .usage("--setup-script and --clear-setup-script contradict each other; give one")
        }
        if fields.changesPackages && clearPackages {
            throw .usage("--clear-packages cannot be combined with --apt, --pip or --npm; give the packages to keep instead")
        }
        for key in unsetMetadata where fields.metadata.contains(where: { $0.key == key }) {
            throw .usage("--metadata and --unset-metadata both name '\(key)'; give one")
        }
        let changes = newName != nil || fields.changesAnything || fields.fromFile != nil
            || clearDescription || clearSetupScript || clearPackages || !unsetMetadata.isEmpty
        if !changes {
            throw .usage("nothing to change; give at least one flag such as --description, --pip or --network")
        }
    }

    /// The request body: only the changed fields.
    func body() throws(CLIFailure) -> JSONValue {
        var body = try fields.readBaseBody() ?? JSONObject()
        if let newName {
            body["name"] = .string(newName)
        }
        if let description = fields.description {
            body["description"] = .string(description)
        } else if clearDescription {
            body["description"] = JSONValue.null
        }
        try fields.applyConfig(to: &body, requireConfig: false,
                               clearSetupScript: clearSetupScript, clearPackages: clearPackages)
        try fields.applyMetadata(to: &body, unset: unsetMetadata)
        return .object(body)
    }

    /// The API replaces `config.packages` as a whole; the CLI's package flags name managers.
    /// So the managers the command line did not name are copied from the current environment.
    static func keepingUnnamedManagers(_ body: JSONValue, current: JSONValue) -> JSONValue {
        guard case .object(var object) = body, case .object(var config)? = object["config"],
              case .object(var packages)? = config["packages"] else { return body }
        let currentPackages = current.objectValue?["config"]?.objectValue?["packages"]?.objectValue
        for manager in ["apt", "pip", "npm"] where packages[manager] == nil {
            packages[manager] = currentPackages?[manager] ?? .array([])
        }
        config["packages"] = .object(packages)
        object["config"] = .object(config)
        return .object(object)
    }

    func run(in context: CommandContext) async throws {
        var body = try body()
        let client = try context.client()
        let id = try await EnvironmentReference.resolve(environment, with: client)
        if fields.changesPackages {
            let current = try await client.get(EnvironmentReference.path(id))
            body = Self.keepingUnnamedManagers(body, current: current)
        }
        let updated = try await client.post(EnvironmentReference.path(id), body: body)
        if json {
            context.printJSON(updated)
        } else {
            context.print(EnvironmentDisplay.detail(updated))
        }
    }
}
