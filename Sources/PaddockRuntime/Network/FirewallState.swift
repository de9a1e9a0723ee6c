import PaddockCore
import PaddockJSON

/// What the Paddock table holds, read back from `nft -j list table`: the chains, the verdict
/// of every rule, and the per-session entries of the sets. Used to verify a session's rules
/// before its workload starts and to find what to delete.
struct FirewallState: Sendable, Equatable {
    /// One entry of the `gateways` set.
    struct GatewayEntry: Sendable, Hashable {
        let interface: String
        let address: String
    }

    /// Every chain of the table, base chains included.
    var chains: Set<String> = []
    /// Per chain, the verdict each rule ends with (`accept`, `drop`, `jump`, `vmap`, `other`…), in order.
    var verdicts: [String: [String]] = [:]
    /// The `sessions` map: interface → the chain it jumps to.
    var sessionJumps: [String: String] = [:]
    /// The `gateways` set.
    var gateways: Set<GatewayEntry> = []
    /// The `proxied` set.
    var proxied: Set<String> = []

    /// The state of an absent table.
    static let empty = FirewallState()

    /// Parses the JSON `nft` prints; `internal` when it is not what nft 1.x prints.
    init(json bytes: [UInt8]) throws(PaddockError) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw PaddockError(.internal, "nft printed JSON that cannot be parsed: \(error)")
        }
        guard let items = document.objectValue?["nftables"]?.arrayValue else {
            throw PaddockError(.internal, "nft printed JSON without an 'nftables' array")
        }
        for item in items {
            guard let entry = item.objectValue?.first(where: { _ in true }), let fields = entry.value.objectValue else { continue }
            switch entry.key {
            case "chain":
                if let name = fields["name"]?.stringValue { chains.insert(name) }
            case "rule":
                guard let chain = fields["chain"]?.stringValue else { continue }
                let last = fields["expr"]?.arrayValue?.last?.objectValue
                verdicts[chain, default: []].append(last.flatMap { Self.verdict($0) } ?? "other")
            case "map" where fields["name"]?.stringValue == FirewallRuleset.sessionsMap:
                for element in fields["elem"]?.arrayValue ?? [] {
                    guard let pair = element.arrayValue, pair.count == 2, let key = pair[0].stringValue,
                          let target = pair[1].objectValue?["jump"]?.objectValue?["target"]?.stringValue else { continue }
                    sessionJumps[key] = target
                }
            case "set" where fields["name"]?.stringValue == FirewallRuleset.gatewaysSet:
                for element in fields["elem"]?.arrayValue ?? [] {
                    guard let parts = element.objectValue?["concat"]?.arrayValue, parts.count == 2,
                          let interface = parts[0].stringValue, let address = parts[1].stringValue else { continue }
                    gateways.insert(GatewayEntry(interface: interface, address: address))
                }
            case "set" where fields["name"]?.stringValue == FirewallRuleset.proxiedSet:
                for element in fields["elem"]?.arrayValue ?? [] {
                    if let interface = element.stringValue { proxied.insert(interface) }
                }
            default:
                continue
            }
        }
    }

    private init() {}

    /// The verdict word of a rule's last expression.
    private static func verdict(_ expression: JSONObject) -> String? {
        for word in ["accept", "drop", "reject", "jump", "goto", "return", "vmap", "masquerade", "redirect"]
        where expression.contains(key: word) {
            return word
        }
        return nil
    }

    /// The problems that keep the base chains from being as `ruleset` makes them.
    func baseProblems(_ ruleset: FirewallRuleset) -> [String] {
        ruleset.expectedBaseVerdicts.compactMap { chain, expected in
            guard verdicts[chain, default: []] != expected else { return nil }
            return chains.contains(chain)
                ? "base chain \(chain) has rules ending in \(verdicts[chain, default: []]), expected \(expected)"
                : "base chain \(chain) is missing"
        }
    }

    /// The problems that keep `session`'s firewall (and the base chains it relies on) from
    /// being in place as `ruleset` would make it; empty when everything is there.
    func problems(of session: SessionFirewall, ruleset: FirewallRuleset) -> [String] {
        var problems = baseProblems(ruleset)
        let names = session.names
        if !chains.contains(names.chain) {
            problems.append("chain \(names.chain) is missing")
        } else if verdicts[names.chain, default: []] != ruleset.expectedVerdicts(session) {
            problems.append("chain \(names.chain) has rules ending in \(verdicts[names.chain, default: []]), "
                + "expected \(ruleset.expectedVerdicts(session))")
        }
        if sessionJumps[names.hostInterface] != names.chain {
            problems.append("\(FirewallRuleset.sessionsMap) does not send \(names.hostInterface) to \(names.chain)")
        }
        if !gateways.contains(GatewayEntry(interface: names.hostInterface, address: "\(session.lease.gateway)")) {
            problems.append("\(FirewallRuleset.gatewaysSet) lacks \(names.hostInterface) . \(session.lease.gateway)")
        }
        if proxied.contains(names.hostInterface) != (session.access == .gatewayOnly) {
            problems.append("\(FirewallRuleset.proxiedSet) \(session.access == .gatewayOnly ? "lacks" : "holds") \(names.hostInterface)")
        }
        return problems
    }
}
