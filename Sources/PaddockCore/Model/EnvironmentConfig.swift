import PaddockJSON

/// The template a session is made from: container type, networking, packages, setup script.
/// Always valid: the only ways to make one are the default and the validating parsers.
public struct EnvironmentConfig: Sendable, Hashable {
    /// The networking policy (default: unrestricted).
    public var networking: NetworkingPolicy
    /// The apt, pip and npm packages, in the given order.
    public var packages: PackageLists
    /// A bash script run as root after the packages, or nil.
    public var setupScript: String?

    /// The container types Paddock offers.
    public static let containerTypes = ["cloud"]
    /// The longest setup script accepted, in characters.
    public static let maxSetupScriptLength = 10_000
    /// The package managers `config.packages` accepts.
    public static let packageManagers = ["apt", "pip", "npm"]

    /// The configuration of an account's `default` environment.
    public init() {
        networking = .unrestricted
        packages = PackageLists(apt: [], pip: [], npm: [])
        setupScript = nil
    }

    /// Reads `config` from a create request: `type` is required, everything else optional.
    public static func parse(_ value: JSONValue, param: String = "config") throws(PaddockError) -> EnvironmentConfig {
        var config = EnvironmentConfig()
        try config.apply(value, param: param, requireType: true)
        return config
    }

    /// Applies `config` from an update: each present key replaces that part as a whole.
    public mutating func apply(_ value: JSONValue, param: String = "config", requireType: Bool = false) throws(PaddockError) {
        let fields = try FieldReader(value, path: param, allowedKeys: ["type", "networking", "packages", "setup_script"])
        if let typeValue = fields.raw("type") {
            guard case .string(let type) = typeValue, Self.containerTypes.contains(type) else {
                throw PaddockError.invalid(fields.path("type"), "must be one of \(quotedList(Self.containerTypes))")
            }
        } else if requireType {
            throw PaddockError.invalid(fields.path("type"), "is required; use \"cloud\"")
        }
        var next = self
        if let networking = fields.raw("networking") {
            next.networking = try NetworkingPolicy.parse(networking, param: fields.path("networking"))
        }
        if let packages = fields.raw("packages") {
            next.packages = try Self.parsePackages(packages, param: fields.path("packages"))
        }
        if fields.has("setup_script") {
            next.setupScript = try fields.string("setup_script", nullable: true).map { script throws(PaddockError) in
                try TextRules.text(script, param: fields.path("setup_script"), maxLength: Self.maxSetupScriptLength)
            }
        }
        self = next
    }

    private static func parsePackages(_ value: JSONValue, param: String) throws(PaddockError) -> PackageLists {
        let fields = try FieldReader(value, path: param, allowedKeys: packageManagers)
        return try PackageLists.validate(
            apt: fields.strings("apt", maxCount: 256) ?? [],
            pip: fields.strings("pip", maxCount: 256) ?? [],
            npm: fields.strings("npm", maxCount: 256) ?? [],
            param: param)
    }

    /// The wire form, always with every field present.
    public var json: JSONValue {
        [
            "type": "cloud",
            "networking": networking.json,
            "packages": [
                "apt": .array(packages.apt.map { .string($0.spec) }),
                "pip": .array(packages.pip.map { .string($0.spec) }),
                "npm": .array(packages.npm.map { .string($0.spec) }),
            ],
            "setup_script": setupScript.map(JSONValue.string) ?? .null,
        ]
    }
}
