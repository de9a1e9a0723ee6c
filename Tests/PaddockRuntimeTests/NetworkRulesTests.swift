import PaddockCore
import Testing
@testable import PaddockRuntime

/// The pure parts of the session network: CIDRs, the denied set, names, the /30 pool and the
/// nftables text, compared line by line.
@Suite("network: addresses, names and generated rules")
struct NetworkRulesTests {
    static let names = try! NetworkNames(table: "paddock", interfacePrefix: "pd", namespacePrefix: "paddock-")
    static let pool = try! net("10.203.0.0/16")
    var ruleset: FirewallRuleset { FirewallRuleset(names: Self.names, pool: Self.pool) }

    func firewall(_ id: String = "ses_01JEX6Q0W5M3T9ZK8B7N2C4D6F", block: String = "10.203.0.4/30",
                  access: SessionAccess) throws -> SessionFirewall {
        SessionFirewall(names: Self.names.session(id), lease: try SessionLease(subnet: net(block)), access: access)
    }

    // MARK: Ranges and the denied set

    @Test("ranges merge overlapping and adjacent networks and print as nft does")
    func rangesMerge() throws {
        var ranges = AddressRanges(try ["224.0.0.0/4", "240.0.0.0/4", "10.0.0.0/8", "10.1.0.0/16"].map(net))
        #expect(ranges.nftElements == ["10.0.0.0/8", "224.0.0.0/3"])
        ranges.remove(try net("10.5.0.0/16"))
        #expect(ranges.nftElements == ["10.0.0.0-10.4.255.255", "10.6.0.0-10.255.255.255", "224.0.0.0/3"])
        ranges.insert(try net("192.0.2.2"))
        #expect(ranges.nftElements.contains("192.0.2.2"))
        #expect(ranges.contains(IPv4Address("10.6.0.1")!))
        #expect(!ranges.contains(IPv4Address("10.5.0.1")!))
        ranges.insert(try net("0.0.0.0/0"))
        #expect(ranges.nftElements == ["0.0.0.0/0"])
    }

    @Test("the denied set holds the reserved ranges, the pool and the host's addresses")
    func deniedDefaults() throws {
        let policy = AddressPolicy(extraDenied: [Self.pool, try net("192.0.2.2")])
        #expect(policy.deniedRanges.nftElements == ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                                                    "172.16.0.0/12", "192.0.2.2", "192.168.0.0/16", "224.0.0.0/3"])
    }

    @Test("an allowed CIDR opens a private range but never the pool or the host's addresses; the ranges agree with isDenied")
    func allowCIDR() throws {
        let policy = AddressPolicy(extraDenied: [Self.pool, try net("10.9.0.1")],
                                   allowed: [try net("10.0.0.0/8"), try net("172.20.0.0/16")])
        let denied = policy.deniedRanges
        for text in ["10.1.2.3", "172.20.5.5", "172.21.0.1", "10.203.7.9", "10.9.0.1", "169.254.169.254", "8.8.8.8",
                     "0.0.0.0", "255.255.255.255", "100.64.0.1", "192.168.1.1", "10.255.255.255"] {
            let address = IPv4Address(text)!
            #expect(denied.contains(address) == policy.isDenied(address), "\(text)")
        }
        #expect(!denied.contains(IPv4Address("10.1.2.3")!) && denied.contains(IPv4Address("10.203.7.9")!))
    }

    // MARK: Names, pool, leases

    @Test("a session's names: namespace and veth from its hash, chain from its id")
    func sessionNames() {
        let names = Self.names.session("ses_01JEX6Q0W5M3T9ZK8B7N2C4D6F")
        #expect(names.namespace.hasPrefix("paddock-") && names.namespace.count == 17)
        #expect(names.hostInterface.hasPrefix("pd-") && names.hostInterface.count == 12)
        #expect(names.namespace.dropFirst(8) == names.hostInterface.dropFirst(3))
        #expect(names.chain == "s_ses_01JEX6Q0W5M3T9ZK8B7N2C4D6F")
        #expect(names.namespacePath == "/run/netns/" + names.namespace)
        #expect(Self.names.session("a.b-c").chain == "s_a_b_c")
        #expect(Self.names.session("one") != Self.names.session("two"))
        #expect(Self.names.isNamespace(names.namespace) && Self.names.isHostInterface(names.hostInterface))
        #expect(!Self.names.isNamespace("paddock-test-0123456789") && !Self.names.isHostInterface("pdx"))
        #expect(!Self.names.isHostInterface("pd0123456789a") && !Self.names.isHostInterface("eth0"))
    }

    @Test("another naming's interfaces are never this naming's, nor matched by its wildcard")
    func namingsStayApart() throws {
        let tagged = try NetworkNames(table: "paddock_abc", interfacePrefix: "pdabc", namespacePrefix: "paddock-abc-")
        let shorter = try NetworkNames(table: "paddock_ab", interfacePrefix: "pdab", namespacePrefix: "paddock-ab-")
        let veth = tagged.session("ses_01JEX6Q0W5M3T9ZK8B7N2C4D6F").hostInterface
        #expect(veth.utf8.count <= 15)
        for other in [Self.names, shorter] {
            #expect(!other.isHostInterface(veth))
            #expect(!veth.hasPrefix(String(other.interfaceWildcard.dropLast())), "\(other.interfaceWildcard) matches \(veth)")
        }
        #expect(tagged.isHostInterface(veth) && veth.hasPrefix(String(tagged.interfaceWildcard.dropLast())))
    }

    @Test("names nft or the kernel would not take are refused", arguments: [
        ("Paddock", "pd", "paddock-"), ("paddock", "pdabcd", "paddock-"), ("paddock", "p1", "paddock-"),
        ("paddock", "pd", "-paddock"), ("pad dock", "pd", "paddock-"), ("", "pd", "paddock-"),
    ])
    func badNames(table: String, interface: String, namespace: String) {
        #expect(throws: PaddockError.self) { try NetworkNames(table: table, interfacePrefix: interface, namespacePrefix: namespace) }
    }

    @Test("the pool hands out the lowest free /30; gateway first address, session second")
    func pool() throws {
        let pool = try SessionAddressPool(net("10.203.0.0/29"))
        #expect(pool.capacity == 2)
        let first = try #require(pool.firstFree(excluding: []))
        #expect(first.subnet.description == "10.203.0.0/30")
        #expect(first.gateway.description == "10.203.0.1" && first.sessionAddress.description == "10.203.0.2")
        let second = try #require(pool.firstFree(excluding: [first.subnet]))
        #expect(second.subnet.description == "10.203.0.4/30")
        #expect(pool.firstFree(excluding: [first.subnet, second.subnet]) == nil)
        #expect(throws: PaddockError.self) { try SessionAddressPool(net("10.203.0.0/31")) }
        #expect(throws: PaddockError.self) { try SessionLease(subnet: net("10.203.0.0/29")) }
    }

    // MARK: Ruleset text

    @Test("the base table: sets, dispatch by interface, gateway-only input, transparent redirect")
    func baseRuleset() {
        #expect(ruleset.base() == """
            add table inet paddock
            add map inet paddock sessions { type ifname : verdict ; }
            add set inet paddock gateways { type ifname . ipv4_addr ; }
            add set inet paddock proxied { type ifname ; }
            add chain inet paddock forward { type filter hook forward priority filter ; policy accept ; }
            add chain inet paddock input { type filter hook input priority filter ; policy accept ; }
            add chain inet paddock prerouting { type nat hook prerouting priority dstnat ; policy accept ; }
            add chain inet paddock postrouting { type nat hook postrouting priority srcnat ; policy accept ; }
            flush chain inet paddock forward
            flush chain inet paddock input
            flush chain inet paddock prerouting
            flush chain inet paddock postrouting
            add rule inet paddock forward iifname "pd-*" meta nfproto ipv6 drop
            add rule inet paddock forward oifname "pd-*" meta nfproto ipv6 drop
            add rule inet paddock forward iifname vmap @sessions
            add rule inet paddock forward oifname vmap @sessions
            add rule inet paddock forward iifname "pd-*" drop
            add rule inet paddock forward oifname "pd-*" drop
            add rule inet paddock input iifname "pd-*" meta nfproto ipv6 drop
            add rule inet paddock input iifname . ip daddr @gateways tcp dport { 3128, 3129 } accept
            add rule inet paddock input iifname . ip daddr @gateways udp dport 53 accept
            add rule inet paddock input iifname "pd-*" drop
            add rule inet paddock prerouting iifname @proxied tcp dport { 80, 443 } redirect to :3129
            add rule inet paddock postrouting ip saddr 10.203.0.0/16 oifname != "pd-*" masquerade

            """)
    }

    @Test("an unrestricted session's chain: replies only inbound, own source only, denied set and other resolvers dropped, rest accepted")
    func unrestrictedChain() throws {
        let session = try firewall(access: .forwarded)
        let veth = session.names.hostInterface
        let denied = AddressPolicy(extraDenied: [Self.pool, try net("192.0.2.2")]).deniedRanges
        #expect(ruleset.chainRules(session, denied: denied) == [
            "oifname \"\(veth)\" ct state established,related accept",
            "oifname \"\(veth)\" drop",
            "ip saddr != 10.203.0.6 drop",
            "ip daddr { 0.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12, 192.0.2.2, "
                + "192.168.0.0/16, 224.0.0.0/3 } drop",
            "meta l4proto { tcp, udp } th dport 53 drop",
            "accept",
        ])
        let script = ruleset.install(session, denied: denied)
        #expect(script.hasPrefix("add chain inet paddock \(session.names.chain)\nflush chain inet paddock \(session.names.chain)\n"))
        #expect(script.contains("add element inet paddock sessions { \"\(veth)\" : jump \(session.names.chain) }\n"))
        #expect(script.contains("add element inet paddock gateways { \"\(veth)\" . 10.203.0.5 }\n"))
        #expect(!script.contains("proxied"))
    }

    @Test("a limited or allowlist session's chain drops everything forwarded; its veth is proxied")
    func gatewayOnlyChain() throws {
        let session = try firewall(access: .gatewayOnly)
        #expect(ruleset.chainRules(session, denied: AddressRanges()) == ["drop"])
        #expect(ruleset.install(session, denied: AddressRanges())
            .hasSuffix("add element inet paddock proxied { \"\(session.names.hostInterface)\" }\n"))
        #expect(SessionAccess(.limited(allowPackageManagers: true, allowedHosts: [])) == .gatewayOnly)
        #expect(SessionAccess(.allowlist(domains: [])) == .gatewayOnly)
        #expect(SessionAccess(.unrestricted) == .forwarded)
    }

    @Test("removal deletes only what the table holds: entries first, then the chain")
    func removal() throws {
        let session = try firewall(access: .gatewayOnly)
        let veth = session.names.hostInterface, chain = session.names.chain
        var state = FirewallState.empty
        #expect(ruleset.removal(interfaces: [veth], chains: [chain], from: state) == nil)
        state.chains = ["forward", chain]
        state.sessionJumps = [veth: chain, "pd9999999999": "s_other"]
        state.gateways = [.init(interface: veth, address: "10.203.0.5")]
        state.proxied = [veth]
        #expect(ruleset.removal(interfaces: [veth], chains: [chain], from: state) == """
            delete element inet paddock sessions { "\(veth)" }
            delete element inet paddock gateways { "\(veth)" . 10.203.0.5 }
            delete element inet paddock proxied { "\(veth)" }
            delete chain inet paddock \(chain)

            """)
    }

    @Test("verification reads the table back: every missing piece is a problem")
    func verification() throws {
        let session = try firewall(access: .forwarded)
        let veth = session.names.hostInterface, chain = session.names.chain
        var state = FirewallState.empty
        for (base, verdicts) in ruleset.expectedBaseVerdicts { state.chains.insert(base); state.verdicts[base] = verdicts }
        state.chains.insert(chain)
        state.verdicts[chain] = ["accept", "drop", "drop", "drop", "drop", "accept"]
        state.sessionJumps = [veth: chain]
        state.gateways = [.init(interface: veth, address: "10.203.0.5")]
        #expect(state.problems(of: session, ruleset: ruleset).isEmpty)

        var broken = state
        broken.verdicts[chain] = ["accept"]
        broken.proxied = [veth]
        broken.verdicts["input"] = nil
        #expect(broken.problems(of: session, ruleset: ruleset).count == 3)
        #expect(FirewallState.empty.problems(of: session, ruleset: ruleset).count == 7)
    }

    @Test("nft's JSON listing is read into chains, verdicts and set entries")
    func parseListing() throws {
        let json = """
            {"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
             {"table": {"family": "inet", "name": "paddock", "handle": 4}},
             {"map": {"family": "inet", "name": "sessions", "table": "paddock", "type": "ifname", "handle": 1, "map": "verdict",
                      "elem": [["pd0123456789", {"jump": {"target": "s_ses_A"}}]]}},
             {"set": {"family": "inet", "name": "gateways", "table": "paddock", "type": ["ifname", "ipv4_addr"], "handle": 2,
                      "elem": [{"concat": ["pd0123456789", "10.203.0.1"]}]}},
             {"set": {"family": "inet", "name": "proxied", "table": "paddock", "type": "ifname", "handle": 3, "elem": ["pd0123456789"]}},
             {"chain": {"family": "inet", "table": "paddock", "name": "s_ses_A", "handle": 24}},
             {"rule": {"family": "inet", "table": "paddock", "chain": "s_ses_A", "handle": 25, "expr": [{"drop": null}]}},
             {"rule": {"family": "inet", "table": "paddock", "chain": "s_ses_A", "handle": 26,
                       "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "pd0123456789"}}, {"accept": null}]}}
            ]}
            """
        let state = try FirewallState(json: Array(json.utf8))
        #expect(state.chains == ["s_ses_A"])
        #expect(state.verdicts == ["s_ses_A": ["drop", "accept"]])
        #expect(state.sessionJumps == ["pd0123456789": "s_ses_A"])
        #expect(state.gateways == [.init(interface: "pd0123456789", address: "10.203.0.1")])
        #expect(state.proxied == ["pd0123456789"])
        #expect(throws: PaddockError.self) { try FirewallState(json: Array("{\"tables\": []}".utf8)) }
    }

    // MARK: What the session gets

    @Test("a gateway-only session gets the proxy variables and files; all sessions resolve through the gateway")
    func attachments() throws {
        let limited = HostNetworking.attachment(try firewall(access: .gatewayOnly))
        let proxy = "http://10.203.0.5:3128"
        #expect(limited.resolvConf == "nameserver 10.203.0.5\noptions ndots:0\n")
        #expect(limited.namespace == .join(path: Self.names.session("ses_01JEX6Q0W5M3T9ZK8B7N2C4D6F").namespacePath))
        for name in ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"] { #expect(limited.environment[name] == proxy) }
        #expect(limited.environment["NO_PROXY"] == "localhost,127.0.0.1" && limited.environment["no_proxy"] == "localhost,127.0.0.1")
        #expect(limited.environment["NODE_USE_ENV_PROXY"] == "1")
        #expect(limited.rootFiles.keys.sorted() == ["/etc/apt/apt.conf.d/90paddock-proxy", "/etc/gitconfig", "/etc/pip.conf", "/root/.npmrc"])
        #expect(limited.rootFiles["/etc/apt/apt.conf.d/90paddock-proxy"]!.contains("Acquire::https::Proxy \"\(proxy)\";\n"))
        #expect(limited.rootFiles["/etc/pip.conf"]!.hasSuffix("[global]\nproxy = \(proxy)\n"))
        #expect(limited.rootFiles["/root/.npmrc"]!.contains("\nproxy=\(proxy)\nhttps-proxy=\(proxy)\n"))
        #expect(limited.rootFiles["/etc/gitconfig"]!.hasSuffix("[http]\n\tproxy = \(proxy)\n"))

        let open = HostNetworking.attachment(try firewall(access: .forwarded))
        #expect(open.resolvConf == limited.resolvConf)
        #expect(open.environment.isEmpty && open.rootFiles.isEmpty)
    }
}

/// A CIDR from text.
private func net(_ text: String) throws -> IPv4Network {
    try IPv4Network.parse(text, param: "cidr")
}
