/// What the egress gateway enforces for one session: its `NetworkingPolicy` expanded with the
/// presets, plus the always-denied addresses (network.md, "How it is enforced"). Pure: it decides
/// on canonical host text and addresses; resolving names is the gateway's job.
public struct EgressPolicy: Sendable {
    /// The session's policy as configured.
    public let networking: NetworkingPolicy
    /// The addresses no connection may reach.
    public let addresses: AddressPolicy
    /// The host patterns that may be reached; nil means any host (`unrestricted`).
    public let patterns: [HostPattern]?
    /// A one-line description for deny bodies, e.g. `allowlist [pypi.org, files.pythonhosted.org]`.
    public let summary: String

    /// Expands `networking` with `presets`: `unrestricted` allows any host on any port;
    /// `limited` allows the known-safe services, the package managers when
    /// `allow_package_managers` is set, and `allowed_hosts`; `allowlist` allows its `domains`.
    public init(_ networking: NetworkingPolicy, presets: NetworkPresets, addresses: AddressPolicy) {
        self.networking = networking
        self.addresses = addresses
        switch networking {
        case .unrestricted:
            patterns = nil
        case .limited(let allowPackageManagers, let allowedHosts):
            patterns = presets.knownSafe + (allowPackageManagers ? presets.packageManagers : []) + allowedHosts
        case .allowlist(let domains):
            patterns = domains
        }
        summary = Self.summary(of: networking)
    }

    /// Decides a connection to `host:port`, before any resolving: nil when allowed, else why not.
    ///
    /// `host` may be a name or an IP literal in any spelling (`2852039166`, `0251.0376.0251.0376`,
    /// `[::ffff:a9fe:a9fe]`); an IP literal is judged as its address, against the always-denied
    /// set and against IP/CIDR entries only, never against name patterns. A name passes here but
    /// the addresses it resolves to must still pass ``isDenied(_:)``.
    public func decide(host: String, port: Int) -> EgressDenyReason? {
        guard (1...65535).contains(port), let target = TargetHost(host) else { return .malformed }
        switch target {
        case .ipv6(let address):
            if let v4 = address.ipv4Mapped {
                if addresses.isDenied(v4, port: port) { return .addressDenied }
            } else if addresses.isDenied(address) {
                return .addressDenied
            }
        case .ipv4(let address):
            if addresses.isDenied(address, port: port) { return .addressDenied }
        case .name:
            break
        }
        // The kernel drops an unrestricted session's DNS to anyone but its responder; the
        // proxy must not carry it either.
        guard let patterns else { return port == 53 ? .portNotAllowed : nil }
        let hostMatches = patterns.filter { $0.matches(target) }
        if hostMatches.isEmpty { return .hostNotAllowed }
        if hostMatches.contains(where: { $0.matches(host: target.text, port: port) }) { return nil }
        return .portNotAllowed
    }

    /// Whether the DNS responder may answer a query for `host`: it must be a valid name (not an
    /// IP literal) that some pattern allows on some port; under `unrestricted`, any valid name.
    public func allowsName(_ host: String) -> Bool {
        guard let target = TargetHost(host), case .name = target else { return false }
        guard let patterns else { return true }
        return patterns.contains { $0.matches(target) }
    }

    /// Whether a resolved (or literal) address may not be connected to on `port`.
    public func isDenied(_ address: IPv4Address, port: Int) -> Bool {
        addresses.isDenied(address, port: port)
    }

    /// How many entries a summary names before it says how many more there are.
    public static let summaryEntries = 8

    private static func summary(of networking: NetworkingPolicy) -> String {
        switch networking {
        case .unrestricted:
            return "unrestricted"
        case .limited(let allowPackageManagers, let allowedHosts):
            let lists = ["known-safe services"] + (allowPackageManagers ? ["package managers"] : [])
            return "limited [\(listText(lists + allowedHosts.map(\.description)))]"
        case .allowlist(let domains):
            return "allowlist [\(listText(domains.map(\.description)))]"
        }
    }

    private static func listText(_ entries: [String]) -> String {
        guard entries.count > summaryEntries else { return entries.joined(separator: ", ") }
        return entries.prefix(summaryEntries).joined(separator: ", ") + ", +\(entries.count - summaryEntries) more"
    }
}
