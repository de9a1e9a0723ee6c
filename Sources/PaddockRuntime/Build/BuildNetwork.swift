import Foundation
import Glibc
import PaddockCore

/// The network of build containers (runtime.md: "network access limited to the package
/// registries"): each build gets a namespace of its own from the session network seam, under
/// ``policy``, with the proxy variables that apt, pip, npm and the setup script's tools read.
/// Without one, builds share the host's network (the builder's own tests).
public struct BuildNetwork: Sendable {
    /// Makes and removes the build's namespace (the sessions' ``SessionNetworking``).
    public let networking: any SessionNetworking
    /// What builds may reach.
    public let policy: NetworkingPolicy

    /// Groups the seam and the policy.
    public init(networking: any SessionNetworking, policy: NetworkingPolicy) {
        self.networking = networking
        self.policy = policy
    }

    /// The policy of builds: the package-manager preset plus the host of each configured
    /// mirror (with its port when that is not 80 or 443), nothing else.
    public static func policy(packageManagers: [HostPattern], mirrors: MirrorSettings) throws(PaddockError) -> NetworkingPolicy {
        var domains = packageManagers
        for (host, port) in endpoints(of: mirrors) {
            let text = [80, 443].contains(port) ? host : (host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
            let pattern = try HostPattern.parse(text, param: "mirror")
            if !domains.contains(pattern) { domains.append(pattern) }
        }
        return .allowlist(domains: domains)
    }

    /// The host and port of each mirror URL (Debian, PyPI, npm).
    public static func endpoints(of mirrors: MirrorSettings) -> [(host: String, port: Int)] {
        [mirrors.debian, mirrors.pypiIndex, mirrors.npmRegistry].compactMap { url in
            guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else { return nil }
            let port = components.port ?? (components.scheme?.lowercased() == "https" ? 443 : 80)
            return (host.lowercased(), port)
        }
    }

    /// The IPv4 endpoints of the mirrors, for the gateway's address check (mirrors are often
    /// on loopback or a private network): IP literals as written, names as the host's resolver
    /// answers them now.
    public static func resolvedEndpoints(of mirrors: MirrorSettings) -> Set<AddressPolicy.Endpoint> {
        var endpoints: Set<AddressPolicy.Endpoint> = []
        for (host, port) in Self.endpoints(of: mirrors) {
            for address in Self.ipv4Addresses(of: host) { endpoints.insert(.init(address: address, port: port)) }
        }
        return endpoints
    }

    private static func ipv4Addresses(of host: String) -> [IPv4Address] {
        if let literal = IPv4Address(host) { return [literal] }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [IPv4Address] = []
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ai_next }
            guard let address = entry.pointee.ai_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            let raw = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
            let value = IPv4Address(raw)
            if !addresses.contains(value) { addresses.append(value) }
        }
        return addresses
    }

    /// The variables of every build command on `attachment`: the proxy variables without
    /// `NO_PROXY` (a mirror on the host's loopback must go through the proxy: the build's own
    /// loopback is empty), and npm's own names for them.
    static func environment(_ attachment: SessionNetworkAttachment) -> [String: String] {
        var environment = attachment.environment
        environment["NO_PROXY"] = nil
        environment["no_proxy"] = nil
        if let proxy = environment["HTTPS_PROXY"] {
            environment["npm_config_proxy"] = proxy
            environment["npm_config_https_proxy"] = proxy
        }
        return environment
    }
}
