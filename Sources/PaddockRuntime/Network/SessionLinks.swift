import Foundation
import Glibc
import PaddockCore

/// The links of one session: its network namespace, the veth pair (host end `<prefix><hex>`
/// with the gateway address, `eth0` inside with the session's address), `lo` up, a default
/// route via the gateway, and IPv6 disabled on both ends.
struct SessionLinks: Sendable {
    /// Where `ip netns` binds named namespaces.
    static let namespaceDirectory = "/run/netns"
    /// The interface name inside every session.
    static let insideInterface = "eth0"

    let tools: NetworkTools

    /// Makes the namespace and the veth pair of `names` with the addresses of `lease`. On a
    /// failure, whatever was made is left for ``remove(_:)``.
    func create(_ names: SessionNetworkNames, lease: SessionLease) async throws(PaddockError) {
        let prefix = "/\(SessionLease.prefixLength)"
        // Three `ip` processes in all (each costs milliseconds), in the order that matters.
        try await tools.runIPBatch([
            ["netns", "add", names.namespace],
            ["link", "add", "name", names.hostInterface, "type", "veth", "peer", "name", Self.insideInterface, "netns", names.namespace],
        ])
        // IPv6 off before the links come up, so that no link-local address ever exists.
        let hostKey = "net.ipv6.conf.\(names.hostInterface).disable_ipv6"
        if Sysctl.exists(hostKey) { try Sysctl.write(hostKey, "1") }
        try await NamespaceThread.run(inNamespaceAt: names.namespacePath) { () throws(PaddockError) in
            for key in ["net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6",
                        "net.ipv6.conf.\(Self.insideInterface).disable_ipv6"] where Sysctl.exists(key) {
                try Sysctl.write(key, "1")
            }
        }
        try await tools.runIPBatch([
            ["address", "add", "\(lease.gateway)\(prefix)", "dev", names.hostInterface],
            ["link", "set", "dev", names.hostInterface, "up"],
        ])
        try await tools.runIPBatch([
            ["address", "add", "\(lease.sessionAddress)\(prefix)", "dev", Self.insideInterface],
            ["link", "set", "dev", "lo", "up"],
            ["link", "set", "dev", Self.insideInterface, "up"],
            ["route", "add", "default", "via", "\(lease.gateway)", "dev", Self.insideInterface],
        ], namespace: names.namespace)
    }

    /// Checks that IPv6 is off inside the namespace (fail closed: it is read back).
    func verifyIPv6Disabled(_ names: SessionNetworkNames) async throws(PaddockError) {
        let states = try await NamespaceThread.run(inNamespaceAt: names.namespacePath) { () -> [String?] in
            ["net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.\(Self.insideInterface).disable_ipv6"].map(Sysctl.read)
        }
        // nil: the kernel has no IPv6 at all, which is as good.
        guard states.allSatisfy({ $0 == nil || $0 == "1" }) else {
            throw PaddockError(.internal, "IPv6 is still enabled in network namespace \(names.namespace)")
        }
    }

    /// Removes the veth pair and the namespace of `names`, whichever exist; returns what it
    /// removed and the problems met.
    func remove(_ names: SessionNetworkNames) async -> (removed: [String], problems: [String]) {
        var removed: [String] = []
        var problems: [String] = []
        if Self.interfaceExists(names.hostInterface) {
            do throws(PaddockError) {
                try await tools.runIP(["link", "delete", "dev", names.hostInterface])
                removed.append("veth \(names.hostInterface)")
            } catch {
                if Self.interfaceExists(names.hostInterface) { problems.append(error.message) }
            }
        }
        if access(names.namespacePath, F_OK) == 0 {
            do throws(PaddockError) {
                try await tools.runIP(["netns", "delete", names.namespace])
                removed.append("network namespace \(names.namespace)")
            } catch {
                problems.append(error.message)
            }
        }
        return (removed, problems)
    }

    /// Whether the host has an interface of this name.
    static func interfaceExists(_ name: String) -> Bool {
        access("/sys/class/net/\(name)", F_OK) == 0
    }

    /// The names of the host's interfaces.
    static func interfaces() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? []).sorted()
    }

    /// The names of the namespaces bound under ``namespaceDirectory``.
    static func namespaces() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: namespaceDirectory)) ?? []).sorted()
    }
}
