import PaddockCore

/// What a session's firewall chain lets through.
enum SessionAccess: Sendable, Equatable {
    /// `unrestricted`: forwarded and masqueraded, except to the denied destinations.
    case forwarded
    /// `limited` / `allowlist`: nothing is forwarded; only the gateway's services are
    /// reachable, and TCP 80/443 to anywhere is redirected to the transparent listener.
    case gatewayOnly

    /// The access a policy gets.
    init(_ policy: NetworkingPolicy) {
        self = policy == .unrestricted ? .forwarded : .gatewayOnly
    }
}

/// The firewall of one session, as the ruleset generator needs it.
struct SessionFirewall: Sendable, Equatable {
    let names: SessionNetworkNames
    let lease: SessionLease
    let access: SessionAccess
}

/// Generates the nftables scripts (for one `nft` transaction each) of the Paddock table from
/// typed, validated values only. Pure: the tests compare its text.
///
/// The table `inet <table>` holds:
/// - map `sessions` (interface name → `jump s_<id>`), set `gateways` (interface . gateway
///   address), set `proxied` (interfaces of gateway-only sessions);
/// - `forward` (filter): IPv6 to or from a session veth dropped; traffic from or to a session
///   veth jumps to that session's chain through `sessions`; any other session veth dropped;
///   other traffic untouched;
/// - `input` (filter): from a session veth only its own gateway address on TCP 3128/3129 and
///   UDP 53 is accepted, everything else (the host's services, other gateways, IPv6) dropped;
/// - `prerouting` (nat): TCP 80/443 of gateway-only sessions is redirected to the transparent
///   listener;
/// - `postrouting` (nat): masquerade of forwarded pool traffic leaving by a non-session
///   interface;
/// - per session, chain `s_<id>`: `forwarded` lets in only replies, drops spoofed sources, the
///   denied destinations and DNS to any resolver but the gateway's, and accepts the rest;
///   `gatewayOnly` drops everything.
///
/// DNS therefore reaches only the session's own responder (input accepts UDP 53 at its gateway
/// address); a query sent to any other resolver is dropped, never answered or forwarded.
struct FirewallRuleset: Sendable {
    let names: NetworkNames
    let pool: IPv4Network

    static let sessionsMap = "sessions"
    static let gatewaysSet = "gateways"
    static let proxiedSet = "proxied"
    static let baseChains = ["forward", "input", "prerouting", "postrouting"]

    /// The table, its sets and base chains with their rules; safe to apply again at any time
    /// (the base chains are flushed and refilled in the same transaction, the sets and the
    /// session chains are kept).
    func base() -> String {
        let t = "inet \(names.table)"
        let veths = quoted(names.interfaceWildcard)
        var lines = [
            "add table \(t)",
            "add map \(t) \(Self.sessionsMap) { type ifname : verdict ; }",
            "add set \(t) \(Self.gatewaysSet) { type ifname . ipv4_addr ; }",
            "add set \(t) \(Self.proxiedSet) { type ifname ; }",
            "add chain \(t) forward { type filter hook forward priority filter ; policy accept ; }",
            "add chain \(t) input { type filter hook input priority filter ; policy accept ; }",
            "add chain \(t) prerouting { type nat hook prerouting priority dstnat ; policy accept ; }",
            "add chain \(t) postrouting { type nat hook postrouting priority srcnat ; policy accept ; }",
        ]
        lines += Self.baseChains.map { "flush chain \(t) \($0)" }
        lines += [
            "add rule \(t) forward iifname \(veths) meta nfproto ipv6 drop",
            "add rule \(t) forward oifname \(veths) meta nfproto ipv6 drop",
            "add rule \(t) forward iifname vmap @\(Self.sessionsMap)",
            "add rule \(t) forward oifname vmap @\(Self.sessionsMap)",
            "add rule \(t) forward iifname \(veths) drop",
            "add rule \(t) forward oifname \(veths) drop",
            "add rule \(t) input iifname \(veths) meta nfproto ipv6 drop",
            "add rule \(t) input iifname . ip daddr @\(Self.gatewaysSet) tcp dport { \(EgressPorts.proxy), \(EgressPorts.transparent) } accept",
            "add rule \(t) input iifname . ip daddr @\(Self.gatewaysSet) udp dport \(EgressPorts.dns) accept",
            "add rule \(t) input iifname \(veths) drop",
            "add rule \(t) prerouting iifname @\(Self.proxiedSet) tcp dport { 80, 443 } redirect to :\(EgressPorts.transparent)",
            "add rule \(t) postrouting ip saddr \(pool) oifname != \(veths) masquerade",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The verdict each rule of each base chain ends with, for verification.
    var expectedBaseVerdicts: [(chain: String, verdicts: [String])] {
        [
            ("forward", ["drop", "drop", "vmap", "vmap", "drop", "drop"]),
            ("input", ["drop", "accept", "accept", "drop"]),
            ("prerouting", ["redirect"]),
            ("postrouting", ["masquerade"]),
        ]
    }

    /// The rules of one session's chain, in order, as `nft list chain` prints them.
    func chainRules(_ session: SessionFirewall, denied: AddressRanges) -> [String] {
        switch session.access {
        case .gatewayOnly:
            return ["drop"]
        case .forwarded:
            let veth = quoted(session.names.hostInterface)
            return [
                "oifname \(veth) ct state established,related accept",
                "oifname \(veth) drop",
                "ip saddr != \(session.lease.sessionAddress) drop",
                "ip daddr { \(denied.nftElements.joined(separator: ", ")) } drop",
                "meta l4proto { tcp, udp } th dport 53 drop",
                "accept",
            ]
        }
    }

    /// The verdict each rule of a session's chain ends with, for verification.
    func expectedVerdicts(_ session: SessionFirewall) -> [String] {
        session.access == .gatewayOnly ? ["drop"] : ["accept", "drop", "drop", "drop", "drop", "accept"]
    }

    /// Creates the session's chain and its entries in the sets, in one transaction.
    func install(_ session: SessionFirewall, denied: AddressRanges) -> String {
        let t = "inet \(names.table)"
        let chain = session.names.chain
        let veth = quoted(session.names.hostInterface)
        var lines = ["add chain \(t) \(chain)", "flush chain \(t) \(chain)"]
        lines += chainRules(session, denied: denied).map { "add rule \(t) \(chain) \($0)" }
        lines += [
            "add element \(t) \(Self.sessionsMap) { \(veth) : jump \(chain) }",
            "add element \(t) \(Self.gatewaysSet) { \(veth) . \(session.lease.gateway) }",
        ]
        if session.access == .gatewayOnly {
            lines.append("add element \(t) \(Self.proxiedSet) { \(veth) }")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Deletes what `state` shows of the given interfaces and chains: set entries first (the
    /// map's jumps reference the chains), then the chains with their rules. Nil when there
    /// is nothing to delete (nft has no "delete if present" before 1.0.8).
    func removal(interfaces: Set<String>, chains: Set<String>, from state: FirewallState) -> String? {
        let t = "inet \(names.table)"
        var lines: [String] = []
        for (interface, _) in state.sessionJumps.sorted(by: { $0.key < $1.key }) where interfaces.contains(interface) {
            lines.append("delete element \(t) \(Self.sessionsMap) { \(quoted(interface)) }")
        }
        for entry in state.gateways.sorted(by: { $0.interface < $1.interface }) where interfaces.contains(entry.interface) {
            lines.append("delete element \(t) \(Self.gatewaysSet) { \(quoted(entry.interface)) . \(entry.address) }")
        }
        for interface in state.proxied.sorted() where interfaces.contains(interface) {
            lines.append("delete element \(t) \(Self.proxiedSet) { \(quoted(interface)) }")
        }
        // A jump from an entry of another interface would keep the chain busy: remove it too.
        for (interface, target) in state.sessionJumps.sorted(by: { $0.key < $1.key })
        where chains.contains(target) && !interfaces.contains(interface) {
            lines.append("delete element \(t) \(Self.sessionsMap) { \(quoted(interface)) }")
        }
        for chain in state.chains.sorted() where chains.contains(chain) {
            lines.append("delete chain \(t) \(chain)")
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n") + "\n"
    }

    /// A name in double quotes; only ever called with validated names (letters, digits, `*`).
    private func quoted(_ name: String) -> String { "\"\(name)\"" }
}
