import Foundation
import PaddockCore
import PaddockJSON
import Testing
@testable import PaddockRuntime

/// One row of the hardening table of `runtime.md`, checked against the generated `config.json`.
struct HardeningItem: Sendable, CustomTestStringConvertible {
    let name: String
    let holds: @Sendable (JSONValue) -> Bool
    var testDescription: String { name }
}

private func strings(_ value: JSONValue?) -> [String]? {
    value?.arrayValue?.compactMap(\.stringValue)
}

private let expectedCapabilities: Set = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID",
    "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
]

private func allowedNames(_ config: JSONValue) -> Set<String> {
    let rules = config["linux"]?["seccomp"]?["syscalls"]?.arrayValue ?? []
    return Set(rules.filter { $0["action"]?.stringValue == "SCMP_ACT_ALLOW" }.flatMap { strings($0["names"]) ?? [] })
}

private let hardeningTable: [HardeningItem] = [
    HardeningItem(name: "noNewPrivileges is on") { $0["process"]?["noNewPrivileges"]?.boolValue == true },
    HardeningItem(name: "bounding, effective, permitted = Docker's set minus NET_RAW, MKNOD, SETFCAP, AUDIT_WRITE") { config in
        ["bounding", "effective", "permitted"].allSatisfy { set in
            let names = strings(config["process"]?["capabilities"]?[set]) ?? []
            return Set(names) == expectedCapabilities && names.count == expectedCapabilities.count
        }
    },
    HardeningItem(name: "no inheritable or ambient capabilities") { config in
        ["inheritable", "ambient"].allSatisfy { (strings(config["process"]?["capabilities"]?[$0]) ?? []).isEmpty }
    },
    HardeningItem(name: "seccomp denies by default with EPERM") { config in
        config["linux"]?["seccomp"]?["defaultAction"]?.stringValue == "SCMP_ACT_ERRNO"
            && config["linux"]?["seccomp"]?["defaultErrnoRet"]?.numberValue?.intValue == 1
    },
    HardeningItem(name: "seccomp allows what python, node, apt and git need") { config in
        let needed = ["read", "write", "openat", "close", "execve", "mmap", "futex", "epoll_wait", "epoll_pwait",
                      "socket", "connect", "clone", "wait4", "getrandom", "statx", "rseq", "prctl", "arch_prctl",
                      "pipe2", "dup3", "rt_sigaction", "sendmmsg", "memfd_create", "close_range", "faccessat2"]
        return Set(needed).isSubset(of: allowedNames(config))
    },
    HardeningItem(name: "seccomp never allows io_uring, bpf, userfaultfd, keyrings, the mount APIs, namespaces, ptrace") { config in
        let refused = ["io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "userfaultfd", "keyctl",
                       "add_key", "request_key", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount",
                       "open_tree", "mount", "umount2", "pivot_root", "unshare", "setns", "kexec_load",
                       "init_module", "finit_module", "ptrace", "reboot", "swapon", "acct", "perf_event_open",
                       "open_by_handle_at"]
        return allowedNames(config).isDisjoint(with: refused)
    },
    HardeningItem(name: "clone is allowed only without namespace flags; clone3 gets ENOSYS") { config in
        let rules = config["linux"]?["seccomp"]?["syscalls"]?.arrayValue ?? []
        let clone = rules.first { strings($0["names"]) == ["clone"] }
        let clone3 = rules.first { strings($0["names"]) == ["clone3"] }
        let arg = clone?["args"]?.arrayValue?.first
        return arg?["op"]?.stringValue == "SCMP_CMP_MASKED_EQ" && arg?["value"]?.numberValue?.intValue == 0x7E02_0000
            && arg?["valueTwo"]?.numberValue?.intValue == 0
            && clone3?["action"]?.stringValue == "SCMP_ACT_ERRNO" && clone3?["errnoRet"]?.numberValue?.intValue == 38
    },
    HardeningItem(name: "masked paths are exactly the table's") { config in
        strings(config["linux"]?["maskedPaths"]) == [
            "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
            "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
        ]
    },
    HardeningItem(name: "read-only paths are exactly the table's") { config in
        strings(config["linux"]?["readonlyPaths"]) == ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
    },
    HardeningItem(name: "namespaces pid, mount, ipc, uts, network, cgroup, all fresh") { config in
        let namespaces = config["linux"]?["namespaces"]?.arrayValue ?? []
        return Set(namespaces.compactMap { $0["type"]?.stringValue }) == ["pid", "mount", "ipc", "uts", "network", "cgroup"]
            && namespaces.count == 6 && namespaces.allSatisfy { $0["path"] == nil }
    },
    HardeningItem(name: "rlimits NOFILE 65536 and CORE 0") { config in
        let limits = config["process"]?["rlimits"]?.arrayValue ?? []
        func limit(_ type: String) -> [Int?]? {
            limits.first { $0["type"]?.stringValue == type }.map { [$0["soft"]?.numberValue?.intValue, $0["hard"]?.numberValue?.intValue] }
        }
        return limit("RLIMIT_NOFILE") == [65536, 65536] && limit("RLIMIT_CORE") == [0, 0] && limits.count == 2
    },
    HardeningItem(name: "host mounts: only the agent socket directory (rw) and paddock-init (ro)") { config in
        let binds = (config["mounts"]?.arrayValue ?? []).filter { strings($0["options"])?.contains("bind") == true || $0["type"]?.stringValue == "bind" }
        return binds.count == 2
            && binds[0]["source"]?.stringValue == "/var/lib/paddock/sessions/s1/agent"
            && strings(binds[0]["options"]) == ["bind", "nosuid", "nodev"]
            && binds[1]["source"]?.stringValue == "/usr/lib/paddock/paddock-init"
            && strings(binds[1]["options"]) == ["bind", "nosuid", "nodev", "ro"]
    },
    HardeningItem(name: "/sys and /sys/fs/cgroup are read-only") { config in
        let mounts = config["mounts"]?.arrayValue ?? []
        return ["/sys", "/sys/fs/cgroup"].allSatisfy { destination in
            mounts.first { $0["destination"]?.stringValue == destination }.flatMap { strings($0["options"]) }?.contains("ro") == true
        }
    },
]

@Suite("OCI spec of a session")
struct OCISpecTests {
    static func sample(network: NetworkNamespace = .fresh) throws -> SessionSpecification {
        try SessionSpecification(
            rootfs: "/var/lib/paddock/sessions/s1/rootfs", hostname: "sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F",
            arguments: ["/paddock/init", "--socket", "/paddock/run/agent.sock"],
            environment: ["LANG": "C.UTF-8", "PIP_INDEX_URL": "https://pypi.example/simple"],
            resources: ResourceLimits(cpus: 1.5, memoryMB: 512, pids: 256),
            bindMounts: [
                BindMount(source: "/var/lib/paddock/sessions/s1/agent", destination: "/paddock/run", readOnly: false),
                BindMount(source: "/usr/lib/paddock/paddock-init", destination: "/paddock/init"),
            ],
            network: network)
    }

    static func configJSON(_ specification: SessionSpecification) throws -> JSONValue {
        try JSONParser.parse([UInt8](specification.makeSpec().jsonData()))
    }

    @Test("each hardening item of runtime.md is on by default", arguments: hardeningTable)
    func hardening(item: HardeningItem) throws {
        #expect(item.holds(try Self.configJSON(Self.sample())))
    }

    @Test("the capability set is the mask 0x405fb")
    func capabilityMask() {
        #expect(Capability.mask(of: SessionHardening.capabilities) == 0x0000_0000_0004_05FB)
        #expect(Capability(name: "net_raw") == .netRaw)
        #expect(Capability.checkpointRestore.name == "CAP_CHECKPOINT_RESTORE")
    }

    @Test("the process is root, without a terminal, in the given cwd with the default environment")
    func process() throws {
        let process = try #require(try Self.configJSON(Self.sample())["process"])
        #expect(process["terminal"]?.boolValue == false)
        #expect(process["user"]?["uid"]?.numberValue?.intValue == 0)
        #expect(process["user"]?["gid"]?.numberValue?.intValue == 0)
        #expect(process["cwd"]?.stringValue == "/workspace")
        #expect(strings(process["args"]) == ["/paddock/init", "--socket", "/paddock/run/agent.sock"])
        #expect(strings(process["env"]) == [
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8",
            "TERM=xterm", "PIP_INDEX_URL=https://pypi.example/simple",
        ])
    }

    @Test("resources: memory without swap, cpu quota per 100 ms period, pids")
    func resources() throws {
        let config = try Self.configJSON(Self.sample())
        let resources = try #require(config["linux"]?["resources"])
        #expect(resources["memory"]?["limit"]?.numberValue?.intValue == 512 * 1024 * 1024)
        #expect(resources["memory"]?["swap"]?.numberValue?.intValue == 512 * 1024 * 1024)
        #expect(resources["cpu"]?["quota"]?.numberValue?.intValue == 150_000)
        #expect(resources["cpu"]?["period"]?.numberValue?.intValue == 100_000)
        #expect(resources["pids"]?["limit"]?.numberValue?.intValue == 256)
        #expect(config["hostname"]?.stringValue == "sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F")
        #expect(config["root"]?["path"]?.stringValue == "/var/lib/paddock/sessions/s1/rootfs")
    }

    @Test("a given network namespace is joined, the others stay fresh")
    func joinedNetwork() throws {
        let config = try Self.configJSON(Self.sample(network: .join(path: "/run/netns/paddock-s1")))
        let namespaces = config["linux"]?["namespaces"]?.arrayValue ?? []
        #expect(namespaces.first { $0["type"]?.stringValue == "network" }?["path"]?.stringValue == "/run/netns/paddock-s1")
        #expect(namespaces.filter { $0["path"] != nil }.count == 1)
    }

    @Test("standard mounts come first, in order, and reference no host path")
    func standardMounts() throws {
        let mounts = try Self.configJSON(Self.sample())["mounts"]?.arrayValue ?? []
        #expect(mounts.prefix(7).compactMap { $0["destination"]?.stringValue } == [
            "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup",
        ])
        #expect(mounts.prefix(7).allSatisfy { !($0["source"]?.stringValue ?? "").hasPrefix("/") })
    }

    @Test("config.json reads back to the same spec")
    func roundTrip() throws {
        let spec = try Self.sample().makeSpec()
        #expect(try OCI.Spec(jsonData: spec.jsonData()) == spec)
    }

    @Test("invalid specifications are rejected", arguments: InvalidInput.allCases)
    func invalid(input: InvalidInput) {
        #expect(throws: PaddockError.self) { try input.make() }
    }
}

/// Inputs the specification types must refuse.
enum InvalidInput: String, CaseIterable, Sendable {
    case relativeRootfs, emptyArguments, hostnameWithSlash, cwdWithDotDot, environmentNameWithEquals
    case bindOverProc, zeroCPUs, tinyPidsLimit, relativeNetnsPath

    func make() throws(PaddockError) {
        let limits = try ResourceLimits(cpus: 1, memoryMB: 64, pids: 64)
        switch self {
        case .relativeRootfs:
            _ = try SessionSpecification(rootfs: "rootfs", hostname: "h", arguments: ["sh"], resources: limits)
        case .emptyArguments:
            _ = try SessionSpecification(rootfs: "/r", hostname: "h", arguments: [], resources: limits)
        case .hostnameWithSlash:
            _ = try SessionSpecification(rootfs: "/r", hostname: "a/b", arguments: ["sh"], resources: limits)
        case .cwdWithDotDot:
            _ = try SessionSpecification(
                rootfs: "/r", hostname: "h", arguments: ["sh"], workingDirectory: "/a/../..", resources: limits)
        case .environmentNameWithEquals:
            _ = try SessionSpecification(
                rootfs: "/r", hostname: "h", arguments: ["sh"], environment: ["A=B": "c"], resources: limits)
        case .bindOverProc:
            _ = try BindMount(source: "/x", destination: "/proc/sys")
        case .zeroCPUs:
            _ = try ResourceLimits(cpus: 0, memoryMB: 64, pids: 64)
        case .tinyPidsLimit:
            _ = try ResourceLimits(cpus: 1, memoryMB: 64, pids: 2)
        case .relativeNetnsPath:
            _ = try SessionSpecification(
                rootfs: "/r", hostname: "h", arguments: ["sh"], resources: limits, network: .join(path: "netns"))
        }
    }
}
