import PaddockCore

/// What a session (or build) container is made of; ``makeSpec()`` turns it into an OCI spec
/// with the whole hardening table of `runtime.md` applied (see ``SessionHardening``).
///
/// Validated in `init`, so a value that exists always yields a spec runc accepts. The caller
/// chooses only what differs between containers; privileges, masked paths, seccomp and
/// namespaces are not parameters.
public struct SessionSpecification: Sendable, Equatable {
    /// The host path of the root filesystem (the mounted overlay); absolute.
    public var rootfs: String
    /// The hostname inside the container (the session id).
    public var hostname: String
    /// The init process's argv, e.g. `["/paddock/init", "--socket", "/paddock/run/agent.sock"]`.
    public var arguments: [String]
    /// Environment entries added to, or replacing, ``defaultEnvironment``.
    public var environment: [String: String]
    /// The absolute working directory of init; runc creates it when missing.
    public var workingDirectory: String
    /// Cgroup limits.
    public var resources: ResourceLimits
    /// Host paths made visible inside; the only host mounts the container gets.
    public var bindMounts: [BindMount]
    /// The network namespace: a fresh one (loopback only), an existing one to join, or (build
    /// containers only) the host's.
    public var network: NetworkNamespace
    /// The cgroup path; `nil` lets runc name it after the container id below its own cgroup.
    public var cgroupsPath: String?
    /// `RLIMIT_NOFILE`; see ``HostLimits/attainableOpenFiles(_:)`` for hosts that cannot grant
    /// ``SessionHardening/openFilesLimit``.
    public var openFilesLimit: UInt64

    /// `PATH`, `HOME=/root`, `LANG=C.UTF-8` and `TERM=xterm`, in that order.
    public static let defaultEnvironment: [(name: String, value: String)] = [
        ("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
        ("HOME", "/root"),
        ("LANG", "C.UTF-8"),
        ("TERM", "xterm"),
    ]

    /// Creates a specification, throwing `invalidArgument` for a field that runc would reject
    /// or that could reach outside the container.
    public init(
        rootfs: String, hostname: String, arguments: [String], environment: [String: String] = [:],
        workingDirectory: String = "/workspace", resources: ResourceLimits,
        bindMounts: [BindMount] = [], network: NetworkNamespace = .fresh, cgroupsPath: String? = nil,
        openFilesLimit: UInt64 = SessionHardening.openFilesLimit
    ) throws(PaddockError) {
        try ContainerPath.requireAbsolute(rootfs, "rootfs")
        try Self.requireHostname(hostname)
        guard let first = arguments.first, !first.isEmpty else {
            throw .invalid("arguments", "must start with a non-empty program name")
        }
        if arguments.contains(where: { $0.utf8.contains(0) }) {
            throw .invalid("arguments", "must not contain NUL bytes")
        }
        for (name, value) in environment {
            if name.isEmpty || name.contains("=") || name.utf8.contains(0) || value.utf8.contains(0) {
                throw .invalid("environment.\(name)", "names must be non-empty without '=' or NUL")
            }
        }
        try ContainerPath.requireAbsolute(workingDirectory, "working_directory")
        if case .join(let path) = network { try ContainerPath.requireAbsolute(path, "network.path") }
        if let cgroupsPath, cgroupsPath.isEmpty || cgroupsPath.contains("..") {
            throw .invalid("cgroups_path", "must be non-empty and must not contain '..'")
        }
        guard openFilesLimit >= 64 else {
            throw .invalid("open_files_limit", "must be at least 64")
        }
        self.rootfs = rootfs
        self.hostname = hostname
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.resources = resources
        self.bindMounts = bindMounts
        self.network = network
        self.cgroupsPath = cgroupsPath
        self.openFilesLimit = openFilesLimit
    }

    /// The environment as `KEY=value` entries: defaults first (possibly replaced), then the
    /// other given names sorted.
    public var environmentEntries: [String] {
        var entries = Self.defaultEnvironment.map { "\($0.name)=\(environment[$0.name] ?? $0.value)" }
        let defaults = Set(Self.defaultEnvironment.map(\.name))
        for name in environment.keys.sorted() where !defaults.contains(name) {
            entries.append("\(name)=\(environment[name]!)")
        }
        return entries
    }

    /// The OCI spec: init as root with the reduced capability sets, `noNewPrivileges`, the
    /// seccomp allowlist, masked and read-only kernel paths, six namespaces (five with
    /// ``NetworkNamespace/host``), cgroup limits, rlimits, the standard mounts and the given binds only.
    public func makeSpec() -> OCI.Spec {
        let process = OCI.Process(
            terminal: false, user: OCI.User(uid: 0, gid: 0), args: arguments, env: environmentEntries,
            cwd: workingDirectory, capabilities: SessionHardening.capabilitySets,
            rlimits: SessionHardening.rlimits(openFiles: openFilesLimit), noNewPrivileges: true)
        let namespaces = SessionHardening.namespaces.compactMap { kind -> OCI.Namespace? in
            guard kind == .network else { return OCI.Namespace(type: kind) }
            switch network {
            case .fresh: return OCI.Namespace(type: kind)
            case .join(let path): return OCI.Namespace(type: kind, path: path)
            case .host: return nil
            }
        }
        let linux = OCI.Linux(
            namespaces: namespaces,
            resources: resources.ociResources(devices: SessionHardening.deviceRules),
            cgroupsPath: cgroupsPath,
            seccomp: SeccompProfile.make(capabilities: SessionHardening.capabilities),
            maskedPaths: SessionHardening.maskedPaths,
            readonlyPaths: SessionHardening.readonlyPaths,
            rootfsPropagation: "rprivate")
        return OCI.Spec(
            process: process, root: OCI.Root(path: rootfs, readonly: false), hostname: hostname,
            mounts: SessionHardening.standardMounts() + bindMounts.map(\.ociMount), linux: linux)
    }

    /// Accepts what a session id or a DNS label looks like: 1–64 of `A-Z a-z 0-9 . _ -`.
    private static func requireHostname(_ hostname: String) throws(PaddockError) {
        let allowed = hostname.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        guard allowed, (1...64).contains(hostname.utf8.count) else {
            throw .invalid("hostname", "must be 1-64 characters of letters, digits, '.', '_' or '-'")
        }
    }
}

/// Where the container's network namespace comes from.
public enum NetworkNamespace: Sendable, Equatable {
    /// A new namespace with only a loopback interface (no network at all).
    case fresh
    /// The namespace at this path, e.g. `/run/netns/<name>` prepared by the network layer.
    case join(path: String)
    /// No network namespace of its own: the container uses the server's network. For layer
    /// build containers only (package installs do not follow a session's policy); never a session.
    case host
}
