import PaddockJSON

/// The flags `session create` and `run` share: which environment, the resources, the
/// variables and metadata, and how they become the body of `POST /v1/sessions`.
///
/// Decisions: an environment given as `env_…` is sent as `environment_id`, anything else as
/// `environment` (a name, which the server resolves, so no lookup round trip); only the
/// resources given are sent, the server fills in the rest; limits are checked by the server,
/// the CLI only rejects values that are not positive numbers.
struct SessionFields {
    /// The parameters, in help order.
    static let parameters: [Parameter] = [
        .option("env", value: "NAME|ID", help: "the environment to start from: its name or its id (env_…); required"),
        .option("cpus", value: "N", help: "CPUs the session may use (e.g. 2 or 0.5)"),
        .option("memory", value: "MB", help: "memory limit in MiB (no swap)"),
        .option("pids", value: "N", help: "the most processes the session may run at once"),
        .option("disk", value: "MB", help: "writable disk space in MiB"),
        .option("env-var", value: "KEY=VALUE", repeating: true,
                help: "an environment variable for every command in the session; repeat for more"),
        .option("metadata", value: "KEY=VALUE", repeating: true, help: "a metadata pair; repeat for more"),
    ]

    var environment: String?
    var cpus: JSONNumber?
    var memoryMB: Int?
    var pids: Int?
    var diskMB: Int?
    var variables: [(key: String, value: String)]
    var metadata: [(key: String, value: String)]

    /// Reads the flags; values of the wrong form are usage errors.
    init(from arguments: ParsedArguments) throws(CLIFailure) {
        environment = arguments.value("env")
        cpus = try Self.cpus(arguments.value("cpus"))
        memoryMB = try arguments.positiveInteger("memory")
        pids = try arguments.positiveInteger("pids")
        diskMB = try arguments.positiveInteger("disk")
        variables = try arguments.keyValuePairs("env-var")
        metadata = try arguments.keyValuePairs("metadata")
    }

    /// `--env` is required (the parser has no required options).
    func validate() throws(CLIFailure) {
        guard let environment else {
            throw .usage("missing --env NAME|ID (the environment to start from; `paddock env list` shows them)")
        }
        if environment.isEmpty { throw .usage("--env must not be empty") }
    }

    /// `--cpus` as a JSON number: a whole number stays whole (`2`), a fraction is kept (`0.5`).
    private static func cpus(_ text: String?) throws(CLIFailure) -> JSONNumber? {
        guard let text else { return nil }
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let value = Double(text),
              value > 0, value.isFinite else {
            throw .usage("--cpus must be a positive number such as 2 or 0.5 (got '\(text)')")
        }
        if value == value.rounded(), let whole = Int(exactly: value) { return JSONNumber(whole) }
        return JSONNumber(value)
    }

    /// `resources` with only the limits given, or `nil` when none is.
    var resourcesValue: JSONValue? {
        var resources = JSONObject()
        if let cpus { resources["cpus"] = .number(cpus) }
        if let memoryMB { resources["memory_mb"] = .number(JSONNumber(memoryMB)) }
        if let pids { resources["pids"] = .number(JSONNumber(pids)) }
        if let diskMB { resources["disk_mb"] = .number(JSONNumber(diskMB)) }
        return resources.isEmpty ? nil : .object(resources)
    }

    /// The create body: the environment reference, the resources, `env` and `metadata` when
    /// given. Timeouts and `wait` are added by the command.
    func body() -> JSONObject {
        var body = JSONObject()
        let environment = environment ?? ""
        if environment.hasPrefix("env_") {
            body["environment_id"] = .string(environment)
        } else {
            body["environment"] = .string(environment)
        }
        if let resourcesValue { body["resources"] = resourcesValue }
        if !variables.isEmpty { body["env"] = Self.object(variables) }
        if !metadata.isEmpty { body["metadata"] = Self.object(metadata) }
        return body
    }

    /// Ordered pairs as a JSON object of strings.
    static func object(_ pairs: [(key: String, value: String)]) -> JSONValue {
        .object(JSONObject(pairs.map { ($0.key, JSONValue.string($0.value)) }))
    }
}

extension ParsedArguments {
    /// A whole number of at least 1, or a usage error naming the option.
    func positiveInteger(_ name: String) throws(CLIFailure) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), number >= 1 else {
            throw .usage("--\(name) must be a whole number of at least 1 (got '\(text)')")
        }
        return number
    }
}
