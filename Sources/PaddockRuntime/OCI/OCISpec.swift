/// The subset of the OCI runtime specification (v1.0.2) that Paddock writes into `config.json`.
///
/// Everything is a plain `Codable` value; field names match the specification exactly, and a
/// field left `nil` is omitted from the JSON. Hardened defaults live in ``SessionSpecification``,
/// not here: these types describe what runc reads, nothing more.
public enum OCI {
    /// The runtime-spec version written into every bundle.
    public static let version = "1.0.2"
}

extension OCI {
    /// The top-level object of `config.json`.
    public struct Spec: Codable, Sendable, Equatable {
        /// The runtime-spec version; required.
        public var ociVersion: String
        /// The container's init process; required by runc for `create` and `run`.
        public var process: Process?
        /// The root filesystem; required.
        public var root: Root?
        /// The hostname seen inside the UTS namespace.
        public var hostname: String?
        /// Mounts in the order runc performs them, after the root filesystem.
        public var mounts: [Mount]?
        /// Linux-specific settings: namespaces, cgroups, seccomp, masked paths.
        public var linux: Linux?
        /// Free-form metadata for humans and tools; runc ignores it.
        public var annotations: [String: String]?

        /// Creates a spec; `ociVersion` defaults to ``OCI/version``.
        public init(
            ociVersion: String = OCI.version, process: Process? = nil, root: Root? = nil,
            hostname: String? = nil, mounts: [Mount]? = nil, linux: Linux? = nil,
            annotations: [String: String]? = nil
        ) {
            self.ociVersion = ociVersion
            self.process = process
            self.root = root
            self.hostname = hostname
            self.mounts = mounts
            self.linux = linux
            self.annotations = annotations
        }
    }

    /// The container's first process.
    public struct Process: Codable, Sendable, Equatable {
        /// Whether runc allocates a pseudo-terminal; Paddock never does (init talks over a socket).
        public var terminal: Bool?
        /// The user the process runs as.
        public var user: User
        /// The argv; `args[0]` is resolved through `PATH` inside the container.
        public var args: [String]
        /// `KEY=value` entries.
        public var env: [String]?
        /// The absolute working directory inside the container.
        public var cwd: String
        /// The capability sets.
        public var capabilities: Capabilities?
        /// Resource limits applied with `setrlimit` before exec.
        public var rlimits: [Rlimit]?
        /// Sets `PR_SET_NO_NEW_PRIVS`: no setuid binary or file capability can raise privileges.
        public var noNewPrivileges: Bool?
        /// The OOM killer adjustment, -1000...1000.
        public var oomScoreAdj: Int?

        /// Creates a process description.
        public init(
            terminal: Bool? = false, user: User = User(uid: 0, gid: 0), args: [String],
            env: [String]? = nil, cwd: String = "/", capabilities: Capabilities? = nil,
            rlimits: [Rlimit]? = nil, noNewPrivileges: Bool? = nil, oomScoreAdj: Int? = nil
        ) {
            self.terminal = terminal
            self.user = user
            self.args = args
            self.env = env
            self.cwd = cwd
            self.capabilities = capabilities
            self.rlimits = rlimits
            self.noNewPrivileges = noNewPrivileges
            self.oomScoreAdj = oomScoreAdj
        }
    }

    /// A numeric user and group, as seen inside the container.
    public struct User: Codable, Sendable, Equatable {
        /// The user id.
        public var uid: UInt32
        /// The primary group id.
        public var gid: UInt32
        /// The file mode creation mask, e.g. `0o022`.
        public var umask: UInt32?
        /// Supplementary group ids.
        public var additionalGids: [UInt32]?

        /// Creates a user.
        public init(uid: UInt32, gid: UInt32, umask: UInt32? = nil, additionalGids: [UInt32]? = nil) {
            self.uid = uid
            self.gid = gid
            self.umask = umask
            self.additionalGids = additionalGids
        }
    }

    /// The container's root filesystem.
    public struct Root: Codable, Sendable, Equatable {
        /// The host path of the root filesystem (absolute, or relative to the bundle).
        public var path: String
        /// Whether the root is remounted read-only.
        public var readonly: Bool?

        /// Creates a root.
        public init(path: String, readonly: Bool? = nil) {
            self.path = path
            self.readonly = readonly
        }
    }

    /// One mount performed inside the container's mount namespace.
    public struct Mount: Codable, Sendable, Equatable {
        /// The absolute path inside the container.
        public var destination: String
        /// The filesystem type (`proc`, `tmpfs`, `bind`...).
        public var type: String?
        /// The device, host path (for binds) or a placeholder name.
        public var source: String?
        /// `mount(8)` options, e.g. `nosuid`, `ro`, `bind`.
        public var options: [String]?

        /// Creates a mount.
        public init(destination: String, type: String?, source: String?, options: [String]? = nil) {
            self.destination = destination
            self.type = type
            self.source = source
            self.options = options
        }
    }

    /// A POSIX resource limit.
    public struct Rlimit: Codable, Sendable, Equatable {
        /// The limit's name, e.g. `RLIMIT_NOFILE`.
        public var type: String
        /// The hard limit (ceiling for the soft one).
        public var hard: UInt64
        /// The soft limit (the one enforced).
        public var soft: UInt64

        /// Creates a limit.
        public init(type: String, hard: UInt64, soft: UInt64) {
            self.type = type
            self.hard = hard
            self.soft = soft
        }
    }

    /// The five Linux capability sets of the init process, as `CAP_*` names.
    public struct Capabilities: Codable, Sendable, Equatable {
        /// The ceiling no process in the container can exceed.
        public var bounding: [String]?
        /// The capabilities checked by the kernel.
        public var effective: [String]?
        /// The capabilities kept across `execve` of capability-aware programs.
        public var inheritable: [String]?
        /// The capabilities the process may make effective.
        public var permitted: [String]?
        /// The capabilities kept across `execve` of ordinary programs.
        public var ambient: [String]?

        /// Creates capability sets.
        public init(
            bounding: [String]? = nil, effective: [String]? = nil, inheritable: [String]? = nil,
            permitted: [String]? = nil, ambient: [String]? = nil
        ) {
            self.bounding = bounding
            self.effective = effective
            self.inheritable = inheritable
            self.permitted = permitted
            self.ambient = ambient
        }
    }
}
