import PaddockJSON

/// A validated `POST /v1/environments` body.
public struct EnvironmentCreateRequest: Sendable, Hashable {
    /// The environment's name, unique within the account.
    public var name: String
    /// Optional free text.
    public var description: String?
    /// The template.
    public var config: EnvironmentConfig
    /// User metadata.
    public var metadata: Metadata

    /// The longest description accepted.
    public static let maxDescriptionLength = 2048

    /// Validates a request body.
    public init(json body: JSONValue) throws(PaddockError) {
        let fields = try FieldReader(body, path: "", allowedKeys: ["name", "description", "config", "metadata"])
        name = try TextRules.name(fields.requiredString("name"), param: "name")
        description = try fields.string("description", nullable: true).map { text throws(PaddockError) in
            try TextRules.text(text, param: "description", maxLength: Self.maxDescriptionLength)
        }
        guard let config = fields.raw("config") else {
            throw PaddockError.invalid("config", #"is required; send at least {"type": "cloud"}"#)
        }
        self.config = try EnvironmentConfig.parse(config)
        metadata = try fields.raw("metadata").map { m throws(PaddockError) in try Metadata.parse(m, param: "metadata") } ?? Metadata()
    }
}

/// A validated environment update: only the present fields change.
public struct EnvironmentUpdateRequest: Sendable {
    private let body: JSONValue
    private let fields: FieldReader

    /// Validates the shape of an update body; the values are checked again by `apply`.
    public init(json body: JSONValue) throws(PaddockError) {
        self.body = body
        fields = try FieldReader(body, path: "", allowedKeys: ["name", "description", "config", "metadata"])
        // Validate now so that errors come before any store access.
        var probe = EnvironmentState(name: "probe", description: nil, config: EnvironmentConfig(), metadata: Metadata())
        try apply(to: &probe, checkMetadataSize: false)
    }

    /// Whether the update renames the environment.
    public var newName: String? { try? fields.string("name") }

    /// Applies the update to the current state of an environment.
    public func apply(to state: inout EnvironmentState) throws(PaddockError) {
        try apply(to: &state, checkMetadataSize: true)
    }

    private func apply(to state: inout EnvironmentState, checkMetadataSize: Bool) throws(PaddockError) {
        var next = state
        if fields.has("name") {
            next.name = try TextRules.name(fields.requiredString("name"), param: "name")
        }
        if fields.has("description") {
            next.description = try fields.string("description", nullable: true).map { text throws(PaddockError) in
                try TextRules.text(text, param: "description", maxLength: EnvironmentCreateRequest.maxDescriptionLength)
            }
        }
        if let config = fields.raw("config") { try next.config.apply(config) }
        if let metadata = fields.raw("metadata") {
            if checkMetadataSize {
                try next.metadata.apply(patch: metadata, param: "metadata")
            } else {
                var scratch = Metadata()
                try scratch.apply(patch: metadata, param: "metadata")
            }
        }
        state = next
    }
}

/// The mutable part of an environment, as updates see it.
public struct EnvironmentState: Sendable, Hashable {
    /// Name, unique within the account.
    public var name: String
    /// Optional description.
    public var description: String?
    /// The template.
    public var config: EnvironmentConfig
    /// User metadata.
    public var metadata: Metadata

    /// Creates a state.
    public init(name: String, description: String?, config: EnvironmentConfig, metadata: Metadata) {
        self.name = name
        self.description = description
        self.config = config
        self.metadata = metadata
    }
}
