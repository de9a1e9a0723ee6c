extension OCI {
    /// The `linux` object of `config.json`.
    public struct Linux: Codable, Sendable, Equatable {
        /// The namespaces to create or join.
        public var namespaces: [Namespace]?
        /// Cgroup limits.
        public var resources: Resources?
        /// The cgroup path; absolute paths are below the cgroup root, relative ones below runc's
        /// own cgroup; `nil` lets runc pick one named after the container id.
        public var cgroupsPath: String?
        /// The system-call filter.
        public var seccomp: Seccomp?
        /// Paths hidden from the container (files masked with `/dev/null`, directories with an
        /// empty read-only tmpfs).
        public var maskedPaths: [String]?
        /// Paths remounted read-only.
        public var readonlyPaths: [String]?
        /// Namespaced sysctls to set, e.g. `net.ipv4.ip_unprivileged_port_start`.
        public var sysctl: [String: String]?
        /// Propagation of the root mount: `private`, `rprivate`, `slave`...
        public var rootfsPropagation: String?

        /// Creates a `linux` object.
        public init(
            namespaces: [Namespace]? = nil, resources: Resources? = nil, cgroupsPath: String? = nil,
            seccomp: Seccomp? = nil, maskedPaths: [String]? = nil, readonlyPaths: [String]? = nil,
            sysctl: [String: String]? = nil, rootfsPropagation: String? = nil
        ) {
            self.namespaces = namespaces
            self.resources = resources
            self.cgroupsPath = cgroupsPath
            self.seccomp = seccomp
            self.maskedPaths = maskedPaths
            self.readonlyPaths = readonlyPaths
            self.sysctl = sysctl
            self.rootfsPropagation = rootfsPropagation
        }
    }

    /// A Linux namespace kind, named as in the runtime spec.
    public enum NamespaceKind: String, Codable, Sendable, CaseIterable {
        /// Process ids.
        case pid
        /// Network devices, addresses, routes, firewall.
        case network
        /// Mount points.
        case mount
        /// System V IPC and POSIX message queues.
        case ipc
        /// Hostname and domain name.
        case uts
        /// User and group ids.
        case user
        /// The cgroup root seen in `/proc/self/cgroup`.
        case cgroup
    }

    /// A namespace to create (no `path`) or to join (`path` of an existing one).
    public struct Namespace: Codable, Sendable, Equatable {
        /// The kind.
        public var type: NamespaceKind
        /// A namespace file to join, e.g. `/run/netns/paddock-abc`; `nil` creates a fresh one.
        public var path: String?

        /// Creates a namespace entry.
        public init(type: NamespaceKind, path: String? = nil) {
            self.type = type
            self.path = path
        }
    }

    /// Cgroup limits of the container.
    public struct Resources: Codable, Sendable, Equatable {
        /// Memory and swap limits.
        public var memory: Memory?
        /// CPU bandwidth.
        public var cpu: CPU?
        /// The process-count limit.
        public var pids: Pids?
        /// The device allow/deny list, applied in order.
        public var devices: [DeviceRule]?

        /// Creates resource limits.
        public init(memory: Memory? = nil, cpu: CPU? = nil, pids: Pids? = nil, devices: [DeviceRule]? = nil) {
            self.memory = memory
            self.cpu = cpu
            self.pids = pids
            self.devices = devices
        }
    }

    /// Memory limits, in bytes.
    public struct Memory: Codable, Sendable, Equatable {
        /// The memory limit.
        public var limit: Int64?
        /// The memory **plus swap** limit; equal to `limit` means no swap.
        public var swap: Int64?

        /// Creates memory limits.
        public init(limit: Int64? = nil, swap: Int64? = nil) {
            self.limit = limit
            self.swap = swap
        }
    }

    /// CPU bandwidth: `quota` microseconds of CPU time per `period` microseconds.
    public struct CPU: Codable, Sendable, Equatable {
        /// CPU time allowed per period, in microseconds.
        public var quota: Int64?
        /// The accounting period, in microseconds.
        public var period: UInt64?

        /// Creates CPU limits.
        public init(quota: Int64? = nil, period: UInt64? = nil) {
            self.quota = quota
            self.period = period
        }
    }

    /// The process-count limit (threads count too).
    public struct Pids: Codable, Sendable, Equatable {
        /// The maximum number of tasks in the cgroup.
        public var limit: Int64

        /// Creates a pids limit.
        public init(limit: Int64) {
            self.limit = limit
        }
    }

    /// One rule of the devices cgroup.
    public struct DeviceRule: Codable, Sendable, Equatable {
        /// Whether the rule allows (or denies) access.
        public var allow: Bool
        /// `a` (all), `c` (char) or `b` (block); `nil` means all.
        public var type: String?
        /// The major number; `nil` matches any.
        public var major: Int64?
        /// The minor number; `nil` matches any.
        public var minor: Int64?
        /// Any of `r`, `w`, `m`.
        public var access: String?

        /// Creates a device rule.
        public init(allow: Bool, type: String? = nil, major: Int64? = nil, minor: Int64? = nil, access: String? = nil) {
            self.allow = allow
            self.type = type
            self.major = major
            self.minor = minor
            self.access = access
        }
    }
}
