import PaddockJSON

/// A validated `POST /v1/sessions` body (api.md, "Session object").
public struct SessionCreateRequest: Sendable, Equatable {
    /// How the request names the environment to start from.
    public enum EnvironmentSelector: Sendable, Hashable {
        /// `environment_id`: an `env_` id.
        case id(String)
        /// `environment`: an environment name in the caller's account.
        case name(String)
    }

    /// The environment the session is made from; required.
    public let environment: EnvironmentSelector
    /// Resource limits; defaults when absent.
    public let resources: SessionResourceRequest
    /// Variables set for every exec in the session, in the order given.
    public let env: [EnvironmentVariables.Pair]
    /// Seconds after creation at which the session is terminated.
    public let timeoutSeconds: Int
    /// Seconds without an exec or file call after which the session is terminated; 0 = never.
    public let idleTimeoutSeconds: Int
    /// User metadata.
    public let metadata: Metadata
    /// Whether the call returns only once the session is `running` or `failed`.
    public let wait: Bool

    /// The default of `timeout_seconds`.
    public static let defaultTimeoutSeconds = 3600
    /// Accepted `timeout_seconds`.
    public static let timeoutSecondsRange = 1...86400
    /// The default of `idle_timeout_seconds`.
    public static let defaultIdleTimeoutSeconds = 900
    /// Accepted `idle_timeout_seconds` (0 turns the idle timeout off).
    public static let idleTimeoutSecondsRange = 0...86400
    /// The default of `wait`.
    public static let defaultWait = false
    /// Every field the body may have.
    public static let fields = ["environment_id", "environment", "resources", "env", "timeout_seconds",
                                "idle_timeout_seconds", "metadata", "wait"]

    /// A request with the given values, validated like a body; unspecified fields take their
    /// defaults. Of two variables with one name, the last wins.
    public init(environment: EnvironmentSelector, resources: SessionResourceRequest = .default,
                env: [EnvironmentVariables.Pair] = [], timeoutSeconds: Int = defaultTimeoutSeconds,
                idleTimeoutSeconds: Int = defaultIdleTimeoutSeconds, metadata: Metadata = Metadata(),
                wait: Bool = defaultWait) throws(PaddockError) {
        switch environment {
        case .id(let id): try Self.checkEnvironmentID(id)
        case .name(let name): _ = try TextRules.name(name, param: "environment")
        }
        let env = try EnvironmentVariables.parse(EnvironmentVariables.json(env), param: "env")
        guard Self.timeoutSecondsRange.contains(timeoutSeconds) else { throw Self.timeoutOutOfRange(String(timeoutSeconds)) }
        guard Self.idleTimeoutSecondsRange.contains(idleTimeoutSeconds) else {
            throw Self.idleTimeoutOutOfRange(String(idleTimeoutSeconds))
        }
        self.environment = environment
        self.resources = resources
        self.env = env
        self.timeoutSeconds = timeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.metadata = metadata
        self.wait = wait
    }

    /// Validates a request body.
    public init(json body: JSONValue) throws(PaddockError) {
        let fields = try FieldReader(body, path: "", allowedKeys: Self.fields)
        let environment: EnvironmentSelector
        switch (try fields.string("environment_id"), try fields.string("environment")) {
        case (let id?, nil):
            environment = .id(id)
        case (nil, let name?):
            environment = .name(name)
        case (_?, _?):
            throw PaddockError.invalid("environment", "cannot be combined with environment_id; pass only one of them")
        case (nil, nil):
            throw PaddockError.invalid("environment_id", "is required; pass environment_id (an env_ id) or environment (a name)")
        }
        try self.init(
            environment: environment,
            resources: fields.raw("resources").map { r throws(PaddockError) in try SessionResourceRequest.parse(r) } ?? .default,
            env: fields.raw("env").map { e throws(PaddockError) in try EnvironmentVariables.parse(e, param: "env") } ?? [],
            timeoutSeconds: try Self.seconds(fields, "timeout_seconds", in: Self.timeoutSecondsRange,
                                             outOfRange: Self.timeoutOutOfRange) ?? Self.defaultTimeoutSeconds,
            idleTimeoutSeconds: try Self.seconds(fields, "idle_timeout_seconds", in: Self.idleTimeoutSecondsRange,
                                                 outOfRange: Self.idleTimeoutOutOfRange) ?? Self.defaultIdleTimeoutSeconds,
            metadata: fields.raw("metadata").map { m throws(PaddockError) in try Metadata.parse(m, param: "metadata") } ?? Metadata(),
            wait: try fields.bool("wait") ?? Self.defaultWait)
    }

    /// Validates a request body (the same as `init(json:)`).
    public static func parse(_ value: JSONValue) throws(PaddockError) -> SessionCreateRequest {
        try SessionCreateRequest(json: value)
    }

    /// The `environment_id` given, if the request names the environment by id.
    public var environmentID: String? {
        if case .id(let id) = environment { id } else { nil }
    }

    /// The `environment` name given, if the request names the environment by name.
    public var environmentName: String? {
        if case .name(let name) = environment { name } else { nil }
    }

    public static func == (a: SessionCreateRequest, b: SessionCreateRequest) -> Bool {
        a.environment == b.environment && a.resources == b.resources && EnvironmentVariables.equal(a.env, b.env)
            && a.timeoutSeconds == b.timeoutSeconds && a.idleTimeoutSeconds == b.idleTimeoutSeconds
            && a.metadata == b.metadata && a.wait == b.wait
    }

    /// The wire form of the request, with every field present.
    public var json: JSONValue {
        var object = JSONObject()
        switch environment {
        case .id(let id): object["environment_id"] = .string(id)
        case .name(let name): object["environment"] = .string(name)
        }
        object["resources"] = resources.json
        object["env"] = EnvironmentVariables.json(env)
        object["timeout_seconds"] = .number(JSONNumber(timeoutSeconds))
        object["idle_timeout_seconds"] = .number(JSONNumber(idleTimeoutSeconds))
        object["metadata"] = metadata.json
        object["wait"] = .bool(wait)
        return .object(object)
    }

    private static func checkEnvironmentID(_ id: String) throws(PaddockError) {
        guard IdentifierGenerator.isValid(id, prefix: .environment) else {
            throw PaddockError.invalid("environment_id", "'\(ClientText.shown(id))' is not an environment id (env_ followed by 26 characters); "
                + "use an id from GET /v1/environments, or pass the name as environment")
        }
    }

    /// An integer field read with its own out-of-range message.
    private static func seconds(_ fields: FieldReader, _ key: String, in range: ClosedRange<Int>,
                                outOfRange: (String) -> PaddockError) throws(PaddockError) -> Int? {
        guard let raw = fields.raw(key) else { return nil }
        guard case .number(let number) = raw else {
            throw PaddockError.invalid(key, "must be a whole number of seconds, not \(raw.kindName)")
        }
        guard let value = number.intValue, range.contains(value) else { throw outOfRange(number.literal) }
        return value
    }

    private static func timeoutOutOfRange(_ literal: String) -> PaddockError {
        PaddockError.invalid("timeout_seconds", "\(literal) is out of range; use a whole number of seconds from 1 to 86400 (24 hours)")
    }

    private static func idleTimeoutOutOfRange(_ literal: String) -> PaddockError {
        PaddockError.invalid("idle_timeout_seconds",
                             "\(literal) is out of range; use a whole number of seconds from 1 to 86400, or 0 for no idle timeout")
    }
}
