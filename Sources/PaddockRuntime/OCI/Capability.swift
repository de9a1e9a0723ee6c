/// A Linux capability; the raw value is its bit number in `/proc/<pid>/status` masks.
public enum Capability: Int, Sendable, CaseIterable, Comparable {
    /// Change file owners.
    case chown = 0
    /// Bypass file permission checks.
    case dacOverride = 1
    /// Bypass read and search permission checks.
    case dacReadSearch = 2
    /// Bypass checks that need the caller to own the file.
    case fowner = 3
    /// Keep setuid/setgid bits when a file is modified.
    case fsetid = 4
    /// Send signals to any process.
    case kill = 5
    /// Change group ids.
    case setgid = 6
    /// Change user ids.
    case setuid = 7
    /// Change capability sets of itself (bounded by the bounding set).
    case setpcap = 8
    /// Set immutable and append-only file attributes.
    case linuxImmutable = 9
    /// Bind ports below 1024.
    case netBindService = 10
    /// Broadcast and listen to multicast.
    case netBroadcast = 11
    /// Configure interfaces, routes and firewall.
    case netAdmin = 12
    /// Use raw and packet sockets.
    case netRaw = 13
    /// Lock memory.
    case ipcLock = 14
    /// Bypass System V IPC permission checks.
    case ipcOwner = 15
    /// Load kernel modules.
    case sysModule = 16
    /// Raw I/O ports and `/dev/mem`.
    case sysRawio = 17
    /// Call `chroot`.
    case sysChroot = 18
    /// Trace any process.
    case sysPtrace = 19
    /// Process accounting.
    case sysPacct = 20
    /// Mount, namespaces and much else.
    case sysAdmin = 21
    /// Reboot.
    case sysBoot = 22
    /// Raise priorities and set other processes' scheduling.
    case sysNice = 23
    /// Exceed resource limits and quotas.
    case sysResource = 24
    /// Set the system clock.
    case sysTime = 25
    /// Configure terminals (`vhangup`).
    case sysTtyConfig = 26
    /// Create device nodes.
    case mknod = 27
    /// Take file leases.
    case lease = 28
    /// Write to the kernel audit log.
    case auditWrite = 29
    /// Configure kernel auditing.
    case auditControl = 30
    /// Set file capabilities.
    case setfcap = 31
    /// Override mandatory access control.
    case macOverride = 32
    /// Configure mandatory access control.
    case macAdmin = 33
    /// Use `syslog(2)`.
    case syslog = 34
    /// Set wake alarms.
    case wakeAlarm = 35
    /// Block system suspend.
    case blockSuspend = 36
    /// Read the audit log over netlink.
    case auditRead = 37
    /// Performance monitoring.
    case perfmon = 38
    /// Use BPF.
    case bpf = 39
    /// Checkpoint/restore operations.
    case checkpointRestore = 40

    /// The name the runtime spec uses, e.g. `CAP_NET_BIND_SERVICE`.
    public var name: String { Self.names[rawValue] }

    /// The bit of this capability in a capability mask.
    public var mask: UInt64 { 1 << UInt64(rawValue) }

    /// The capability named `name` (`CAP_` prefix optional, any case), if there is one.
    public init?(name: String) {
        let upper = name.uppercased()
        let full = upper.hasPrefix("CAP_") ? upper : "CAP_" + upper
        guard let bit = Self.names.firstIndex(of: full) else { return nil }
        self.init(rawValue: bit)
    }

    /// The mask with the bits of `capabilities` set, as `/proc/<pid>/status` shows it.
    public static func mask(of capabilities: some Sequence<Capability>) -> UInt64 {
        capabilities.reduce(0) { $0 | $1.mask }
    }

    /// Orders by bit number.
    public static func < (lhs: Capability, rhs: Capability) -> Bool { lhs.rawValue < rhs.rawValue }

    private static let names = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
        "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
        "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
    ]
}
