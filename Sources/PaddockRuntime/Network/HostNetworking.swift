import Foundation
import PaddockCore

/// The real session network (network.md, "How it is enforced"): each session gets its own
/// network namespace joined to the host by a veth pair with a /30 from the pool (no bridge),
/// IPv6 off, and a chain in Paddock's nftables table that is installed and read back before
/// the session may start (fail closed: no chain, no session). `unrestricted` sessions are
/// forwarded and masqueraded except to the denied destinations; `limited` and `allowlist`
/// sessions reach only their gateway, where the egress gateway serves the proxy, the
/// transparent listener and the DNS responder. DNS of every session goes to the responder.
///
/// Changes to one session are serialized; different sessions proceed concurrently.
public actor HostNetworking: SessionNetworking {
    /// The pool the /30s come from.
    public nonisolated let pool: IPv4Network
    /// The names of the table, namespaces and veths.
    public nonisolated let names: NetworkNames
    /// The addresses no session reaches: the always-denied set, the pool and the host's
    /// addresses, minus the operator's ranges; the egress gateway checks resolved addresses
    /// against the same policy.
    public nonisolated let addressPolicy: AddressPolicy

    nonisolated let gateway: any EgressGatewayControl
    nonisolated let tools: NetworkTools
    nonisolated let ruleset: FirewallRuleset
    nonisolated let denied: AddressRanges
    nonisolated let links: SessionLinks
    nonisolated let leaseFiles: LeaseFiles
    private let addressPool: SessionAddressPool

    /// Sessions holding a /30 (attached, or left over from before a restart).
    var leases: [String: SessionLease]
    /// Sessions being changed, and who waits for them.
    private var busy: Set<String> = []
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// Whether the base table has been (re)applied by this instance.
    private var isPrepared = false

    /// The default pool.
    public static let defaultPool = "10.203.0.0/16"

    /// Creates the networking and loads the leases of `stateDirectory`; touches nothing on
    /// the host until ``prepare()`` or the first ``attach(sessionID:policy:)``.
    /// - Parameters:
    ///   - pool: the CIDR the per-session /30s come from.
    ///   - gateway: the egress gateway serving each session's gateway address.
    ///   - stateDirectory: where one lease file per session is kept across restarts.
    ///   - allowCIDRs: private ranges the operator opens to `unrestricted` sessions
    ///     (`--allow-cidr`); the pool and the host's addresses stay closed regardless.
    ///   - hostAddresses: the host's own addresses, which sessions never reach; nil discovers them.
    ///   - names: the names of what is made on the host.
    ///   - tools: where `ip` and `nft` are.
    public init(pool: String = defaultPool, gateway: any EgressGatewayControl, stateDirectory: URL,
                allowCIDRs: [String] = [], hostAddresses: [IPv4Address]? = nil,
                names: NetworkNames = .standard, tools: NetworkTools = .standard) throws(PaddockError) {
        let network = try IPv4Network.parse(pool, param: "pool")
        addressPool = try SessionAddressPool(network)
        var allowed: [IPv4Network] = []
        for (index, text) in allowCIDRs.enumerated() {
            allowed.append(try IPv4Network.parse(text, param: "allow_cidrs[\(index)]"))
        }
        self.pool = network
        self.names = names
        self.gateway = gateway
        self.tools = tools
        addressPolicy = Self.addressPolicy(pool: network, allowed: allowed, hostAddresses: hostAddresses ?? HostAddresses.discover())
        ruleset = FirewallRuleset(names: names, pool: network)
        denied = addressPolicy.deniedRanges
        links = SessionLinks(tools: tools)
        leaseFiles = try LeaseFiles(directory: stateDirectory.path)
        leases = leaseFiles.load().leases
    }

    /// The addresses no session reaches: the always-denied set minus `allowed`, plus the pool
    /// and the host's own addresses, which no operator range opens. The egress gateway must be
    /// given the same policy.
    public static func addressPolicy(pool: IPv4Network, allowed: [IPv4Network], hostAddresses: [IPv4Address],
                                     mirrors: Set<AddressPolicy.Endpoint> = []) -> AddressPolicy {
        let hosts = hostAddresses.filter { !pool.contains($0) }.map { IPv4Network(host: $0) }
        return AddressPolicy(extraDenied: [pool] + hosts, allowed: allowed, mirrors: mirrors)
    }

    /// Turns on IPv4 forwarding and (re)applies Paddock's table and base chains, keeping the
    /// chains of existing sessions; then checks the base chains. Called by the first attach
    /// when the server has not called it.
    public func prepare() async throws(PaddockError) {
        try Sysctl.write("net.ipv4.ip_forward", "1")
        try await tools.applyRuleset(ruleset.base())
        let problems = try await readFirewall().baseProblems(ruleset)
        guard problems.isEmpty else {
            throw PaddockError(.internal, "the nftables table \(names.table) is not as applied: \(problems.joined(separator: "; "))")
        }
        isPrepared = true
    }

    /// The /30 `sessionID` holds, if any.
    public func lease(of sessionID: String) -> SessionLease? { leases[sessionID] }

    // MARK: - SessionNetworking

    /// Makes the session's namespace, veth pair and firewall chain, verifies the chain, and
    /// has the gateway serve it; on any failure removes all of it again and throws.
    public func attach(sessionID: String, policy: NetworkingPolicy) async throws(PaddockError) -> SessionNetworkAttachment {
        guard SessionLayout.isValidID(sessionID) else {
            throw .invalid("session_id", "'\(sessionID)' is not a session id")
        }
        await acquire(sessionID)
        defer { release(sessionID) }
        guard leases[sessionID] == nil else {
            throw PaddockError(.conflict, "session \(sessionID) already has a network")
        }
        let sessionNames = names.session(sessionID)
        if let other = leases.keys.first(where: { names.session($0).clashes(with: sessionNames) }) {
            throw PaddockError(.conflict, "the network names of session \(sessionID) clash with those of session \(other)")
        }
        guard let lease = addressPool.firstFree(excluding: Set(leases.values.map(\.subnet))) else {
            throw PaddockError(.overloaded, "the session address pool \(pool) is full; end a session and try again")
        }
        leases[sessionID] = lease
        let firewall = SessionFirewall(names: sessionNames, lease: lease, access: SessionAccess(policy))
        var firewallApplied = false
        do throws(PaddockError) {
            let files = leaseFiles
            try await BlockingWork.run { () throws(PaddockError) in try files.save(lease, for: sessionID) }
            try await links.create(sessionNames, lease: lease)
            try await links.verifyIPv6Disabled(sessionNames)
            try await applyFirewall(firewall)
            firewallApplied = true
            try await verifyFirewall(firewall)
            try await gateway.attach(sessionID: sessionID, gateway: lease.gateway, policy: policy)
        } catch {
            // A failed nft transaction changed nothing (all or nothing), so there is no rule to remove.
            _ = await teardown(sessionID, firewallMayExist: firewallApplied)
            throw PaddockError(error.code, "cannot set up the network of session \(sessionID): \(error.message)",
                               param: error.param)
        }
        return Self.attachment(firewall)
    }

    /// After a restart: checks that the session's lease, namespace, veth and chain (for
    /// `policy`) survived, re-applies the base table once, and has the gateway serve the
    /// session again. Throws (changing nothing of the session) when any piece is missing.
    public func adopt(sessionID: String, policy: NetworkingPolicy) async throws(PaddockError) {
        guard SessionLayout.isValidID(sessionID) else {
            throw .invalid("session_id", "'\(sessionID)' is not a session id")
        }
        await acquire(sessionID)
        defer { release(sessionID) }
        guard let lease = leases[sessionID] else {
            throw PaddockError(.notFound, "session \(sessionID) holds no address lease")
        }
        let sessionNames = names.session(sessionID)
        guard FileManager.default.fileExists(atPath: sessionNames.namespacePath),
              SessionLinks.interfaceExists(sessionNames.hostInterface) else {
            throw PaddockError(.notFound, "the network namespace or veth of session \(sessionID) is gone")
        }
        if !isPrepared { try await prepare() }
        let firewall = SessionFirewall(names: sessionNames, lease: lease, access: SessionAccess(policy))
        try await verifyFirewall(firewall)
        try await gateway.attach(sessionID: sessionID, gateway: lease.gateway, policy: policy)
    }

    /// Stops the gateway for the session and removes its chain, veth pair, namespace and
    /// lease; quiet for ids it does not know.
    public func detach(sessionID: String) async {
        guard SessionLayout.isValidID(sessionID) else { return }
        await acquire(sessionID)
        defer { release(sessionID) }
        _ = await teardown(sessionID)
    }

    /// When the server stops with no session left: removes Paddock's table (nothing needs its
    /// rules any more, and a stale table should not outlive the server). With any session
    /// still holding a lease (it keeps running, for the next start to adopt) or being
    /// attached, the table stays. Returns whether it removed the table.
    @discardableResult
    public func removeTableIfUnused() async -> Bool {
        guard leases.isEmpty, busy.isEmpty else { return false }
        do {
            _ = try await tools.runNFT(["delete", "table", "inet", names.table])
        } catch {
            return false
        }
        isPrepared = false
        return true
    }

    // MARK: - Pieces

    /// What the container gets: the namespace, a resolver pointing at the gateway, and for
    /// gateway-only sessions the proxy variables and files.
    static func attachment(_ firewall: SessionFirewall) -> SessionNetworkAttachment {
        let resolvConf = "nameserver \(firewall.lease.gateway)\noptions ndots:0\n"
        let namespace = NetworkNamespace.join(path: firewall.names.namespacePath)
        guard firewall.access == .gatewayOnly else {
            return SessionNetworkAttachment(namespace: namespace, resolvConf: resolvConf)
        }
        let proxy = ProxyConfiguration(gateway: firewall.lease.gateway)
        return SessionNetworkAttachment(namespace: namespace, resolvConf: resolvConf, environment: proxy.environment,
                                        rootFiles: proxy.rootFiles)
    }

    /// Applies the session's chain and set entries (with the base table first when this
    /// instance has not applied it yet) in one transaction.
    private func applyFirewall(_ firewall: SessionFirewall) async throws(PaddockError) {
        var script = ""
        if !isPrepared {
            try Sysctl.write("net.ipv4.ip_forward", "1")
            script = ruleset.base()
        }
        try await tools.applyRuleset(script + ruleset.install(firewall, denied: denied))
        isPrepared = true
    }

    /// Reads the table back and checks that the session's firewall is in place.
    private func verifyFirewall(_ firewall: SessionFirewall) async throws(PaddockError) {
        let problems = try await readFirewall().problems(of: firewall, ruleset: ruleset)
        guard problems.isEmpty else {
            throw PaddockError(.internal, "its firewall is not in place after applying it: \(problems.joined(separator: "; "))")
        }
    }

    /// Removes everything of `sessionID` in order: gateway, firewall entries and chain, veth,
    /// namespace, lease (kept when something could not be removed, so a later call retries).
    /// `firewallMayExist` false skips the table (nothing was applied to it).
    func teardown(_ sessionID: String, firewallMayExist: Bool = true) async -> (removed: [String], problems: [String]) {
        await gateway.detach(sessionID: sessionID)
        let sessionNames = names.session(sessionID)
        guard let lease = leases[sessionID] else {
            return await links.remove(sessionNames)
        }
        var removed: [String] = []
        var problems: [String] = []
        if firewallMayExist {
            do throws(PaddockError) {
                if try await removeFirewall(of: sessionNames) { removed.append("nftables chain \(sessionNames.chain)") }
            } catch {
                problems.append(error.message)
            }
        }
        let local = await links.remove(sessionNames)
        removed += local.removed
        problems += local.problems
        if problems.isEmpty {
            let files = leaseFiles
            await BlockingWork.run { files.remove(sessionID) }
            leases[sessionID] = nil
            removed.append("address lease \(lease.subnet) of session \(sessionID)")
        }
        return (removed, problems)
    }

    /// Deletes the session's set entries and chain, whichever exist; whether there was any.
    private func removeFirewall(of sessionNames: SessionNetworkNames) async throws(PaddockError) -> Bool {
        let state = try await readFirewall()
        guard let script = ruleset.removal(interfaces: [sessionNames.hostInterface], chains: [sessionNames.chain],
                                           from: state) else { return false }
        try await tools.applyRuleset(script)
        return true
    }

    /// The table as nft lists it; empty when it does not exist.
    func readFirewall() async throws(PaddockError) -> FirewallState {
        do throws(PaddockError) {
            return try FirewallState(json: try await tools.runNFT(["-j", "list", "table", "inet", names.table]))
        } catch {
            let tables = try await tools.runNFT(["list", "tables", "inet"])
            let present = String(decoding: tables, as: UTF8.self).split(whereSeparator: \.isNewline)
                .contains { $0.trimmingCharacters(in: .whitespaces) == "table inet \(names.table)" }
            if present { throw error }
            return .empty
        }
    }

    // MARK: - Per-session serialization

    /// Waits until no other change of `id` runs, then marks it busy.
    private func acquire(_ id: String) async {
        while busy.contains(id) {
            await withCheckedContinuation { waiters[id, default: []].append($0) }
        }
        busy.insert(id)
    }

    /// Ends the change of `id` and wakes its waiters.
    private func release(_ id: String) {
        busy.remove(id)
        for waiter in waiters.removeValue(forKey: id) ?? [] { waiter.resume() }
    }

    /// The ids being changed right now.
    var busySessions: Set<String> { busy }
}

extension SessionNetworkNames {
    /// Whether any of the two sessions' host objects would have the same name.
    func clashes(with other: SessionNetworkNames) -> Bool {
        namespace == other.namespace || hostInterface == other.hostInterface || chain == other.chain
    }
}
