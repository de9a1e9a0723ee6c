import Foundation

/// What this host lets a container have, for settings the kernel checks against the caller.
///
/// `RLIMIT_NOFILE` above the server's own hard limit needs `CAP_SYS_RESOURCE`; hosts that run
/// Paddock inside a sandbox without that capability (e.g. hard limit 20000, capability dropped
/// from the bounding set) would make every `runc create` fail with "error setting rlimits".
public enum HostLimits {
    /// `requested` when this process may grant it, otherwise its own hard `RLIMIT_NOFILE`.
    public static func attainableOpenFiles(_ requested: UInt64) -> UInt64 {
        var current = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &current) == 0 else { return requested }
        let hard = UInt64(current.rlim_max)
        if hard >= requested || hasEffectiveCapability(.sysResource) { return requested }
        return hard
    }

    /// Raises this process's soft `RLIMIT_NOFILE` to its hard limit and returns the soft limit
    /// it now has. The server needs many descriptors: six per connection its egress gateway
    /// relays (two sockets, two pipes), besides API clients and agent sockets; a soft limit of
    /// 1024 would cap a host at about 170 tunnels.
    @discardableResult
    public static func raiseOpenFilesToHardLimit() -> UInt64 {
        var current = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &current) == 0 else { return 0 }
        if current.rlim_cur < current.rlim_max {
            var raised = current
            raised.rlim_cur = current.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return UInt64(raised.rlim_cur) }
        }
        return UInt64(current.rlim_cur)
    }

    /// Whether this process has `capability` in its effective set (from `/proc/self/status`).
    public static func hasEffectiveCapability(_ capability: Capability) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return false }
        for line in status.split(separator: "\n") where line.hasPrefix("CapEff:") {
            let hex = line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces)
            guard let mask = UInt64(hex, radix: 16) else { return false }
            return mask & capability.mask != 0
        }
        return false
    }
}
