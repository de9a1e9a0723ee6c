/// The hardening table of the runtime design (`runtime.md`), as data. ``SessionSpecification`` applies all
/// of it to every container; nothing here is optional.
public enum SessionHardening {
    /// Docker's default capability set minus `NET_RAW`, `MKNOD`, `SETFCAP` and `AUDIT_WRITE`;
    /// given as bounding, effective and permitted sets (never inheritable or ambient).
    public static let capabilities: [Capability] = [
        .chown, .dacOverride, .fsetid, .fowner, .setgid, .setuid, .setpcap, .netBindService,
        .sysChroot, .kill,
    ]

    /// Kernel files and directories hidden from the container.
    public static let maskedPaths = [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
        "/sys/firmware", "/sys/devices/virtual/powercap",
    ]

    /// Kernel interfaces remounted read-only.
    public static let readonlyPaths = [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ]

    /// The namespaces every container gets (the network one may be joined instead of created).
    public static let namespaces: [OCI.NamespaceKind] = [.pid, .mount, .ipc, .uts, .network, .cgroup]

    /// `RLIMIT_NOFILE` (soft and hard) unless the caller lowers it to what the host allows.
    public static let openFilesLimit: UInt64 = 65536

    /// The resource limits: open files as given, no core dumps.
    public static func rlimits(openFiles: UInt64 = openFilesLimit) -> [OCI.Rlimit] {
        [
            OCI.Rlimit(type: "RLIMIT_NOFILE", hard: openFiles, soft: openFiles),
            OCI.Rlimit(type: "RLIMIT_CORE", hard: 0, soft: 0),
        ]
    }

    /// The capability sets given to the init process.
    public static var capabilitySets: OCI.Capabilities {
        let names = capabilities.map(\.name)
        return OCI.Capabilities(bounding: names, effective: names, inheritable: [], permitted: names, ambient: [])
    }

    /// The mounts of a minimal Linux userland: `/proc`, `/dev` (tmpfs), `/dev/pts`, `/dev/shm`,
    /// `/dev/mqueue`, `/sys` and `/sys/fs/cgroup`, both read-only. No host path is involved.
    public static func standardMounts(shmSizeMB: Int = 64) -> [OCI.Mount] {
        [
            OCI.Mount(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]),
            OCI.Mount(destination: "/dev", type: "tmpfs", source: "tmpfs",
                      options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
            OCI.Mount(destination: "/dev/pts", type: "devpts", source: "devpts",
                      options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
            OCI.Mount(destination: "/dev/shm", type: "tmpfs", source: "shm",
                      options: ["nosuid", "noexec", "nodev", "mode=1777", "size=\(shmSizeMB)m"]),
            OCI.Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
            OCI.Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
            OCI.Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
                      options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
        ]
    }

    /// Device access: everything denied; runc then allows its default set (`null`, `zero`,
    /// `full`, `random`, `urandom`, `tty`, `ptmx`, `pts/*`) and creates those nodes in `/dev`.
    public static let deviceRules = [OCI.DeviceRule(allow: false, access: "rwm")]
}
