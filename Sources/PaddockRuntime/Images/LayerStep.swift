/// Which package manager (or the setup script) fills a layer; layers stack in this order.
public enum LayerKind: String, Sendable, Hashable, CaseIterable {
    /// Debian packages from the Debian mirror.
    case apt
    /// Global npm packages from the npm registry.
    case npm
    /// Python packages from the PyPI index, installed for the system `python3`.
    case pip
    /// The environment's setup script, run with bash.
    case setup
}

/// A file the layer builder places in the build container before running the commands,
/// e.g. the setup script. An input, not content: bind-mount it rather than copy it into the layer.
public struct LayerInputFile: Sendable, Hashable {
    /// Absolute path inside the container, e.g. `/paddock/setup.sh`.
    public let path: String
    /// The file's text.
    public let contents: String
}

/// A version the install asked for exactly; the builder checks it is what got installed.
public struct PinnedPackage: Sendable, Hashable {
    /// The name as the manager reports it (apt: package name, pip: normalised name, npm: name).
    public let name: String
    /// The exact version, e.g. `1.6-2.1`, `6.0.1`.
    public let version: String
}

/// One layer to resolve: its key, its parent, and how to build it if the cache misses.
/// Pure data made by `LayerPlan`; immutable.
public struct LayerStep: Sendable, Hashable {
    /// What fills the layer.
    public let kind: LayerKind
    /// The layer's content address.
    public let key: LayerKey
    /// The key of the layer (or base image) below it.
    public let parentKey: LayerKey
    /// The argv arrays to run in order inside the build container; the build fails at the first
    /// non-zero exit. Never shell strings.
    public let commands: [[String]]
    /// Environment variables for every command, in addition to the container's defaults
    /// (`PATH`, `HOME`, the CA variables).
    public let environment: [String: String]
    /// Files to provide before the commands run.
    public let inputs: [LayerInputFile]
    /// Versions to verify after the install.
    public let pins: [PinnedPackage]

    /// The layer's name, `apt`, `npm`, `pip` or `setup`.
    public var name: String { kind.rawValue }

    /// Creates a step (normally done by `LayerPlan.plan`).
    public init(kind: LayerKind, key: LayerKey, parentKey: LayerKey, commands: [[String]],
                environment: [String: String] = [:], inputs: [LayerInputFile] = [], pins: [PinnedPackage] = []) {
        self.kind = kind
        self.key = key
        self.parentKey = parentKey
        self.commands = commands
        self.environment = environment
        self.inputs = inputs
        self.pins = pins
    }
}
