import Foundation
import Glibc
import PaddockCore
import Testing
@testable import PaddockRuntime

/// Real namespaces, veths and nftables rules, with a recording stand-in for the egress
/// gateway. Traffic stays on this machine: every probe targets the host, a session, or an
/// address the session's rules drop or redirect before it could leave.
@Suite("network: per-session namespaces and firewall on the host", .serialized, .enabled(if: NetworkTestHost.isAvailable))
struct NetworkHostTests {
    static let limited = NetworkingPolicy.limited(allowPackageManagers: false, allowedHosts: [])

    func newID() -> String { IdentifierGenerator.shared.make(.session) }

    @Test("attach makes the namespace, eth0 with the .2 address, a route via .1, no IPv6, and a verified chain")
    func attachLimited() async throws {
        try await NetworkTestHost.with { networking, gateway, setup in
            let id = newID()
            let attachment = try await networking.attach(sessionID: id, policy: Self.limited)
            let names = setup.names.session(id)
            let lease = try #require(await networking.lease(of: id))
            #expect(lease.subnet.description == setup.firstBlock)
            #expect(attachment.namespace == .join(path: "/run/netns/\(names.namespace)"))
            #expect(FileManager.default.fileExists(atPath: names.namespacePath))
            #expect(attachment.resolvConf == "nameserver \(lease.gateway)\noptions ndots:0\n")
            #expect(attachment.environment["HTTPS_PROXY"] == "http://\(lease.gateway):3128")
            #expect(gateway.attached == [.init(sessionID: id, gateway: lease.gateway, policy: Self.limited)])
            #expect(FileManager.default.fileExists(atPath: "\(setup.stateDirectory)/\(id).lease"))

            let inside = try await NetworkTestHost.ip(["-n", names.namespace, "-4", "-o", "address", "show", "dev", "eth0"])
            #expect(inside.contains("inet \(lease.sessionAddress)/30"))
            let route = try await NetworkTestHost.ip(["-n", names.namespace, "route", "show", "default"])
            #expect(route.contains("default via \(lease.gateway) dev eth0"))
            let host = try await NetworkTestHost.ip(["-4", "-o", "address", "show", "dev", names.hostInterface])
            #expect(host.contains("inet \(lease.gateway)/30"))
            #expect(try await NetworkTestHost.ip(["-n", names.namespace, "-6", "address", "show"]).isEmpty)
            #expect(try await NetworkTestHost.ip(["-6", "address", "show", "dev", names.hostInterface]).isEmpty)
            let disabled = try await NamespaceThread.run(inNamespaceAt: names.namespacePath) {
                Sysctl.read("net.ipv6.conf.all.disable_ipv6")
            }
            #expect(disabled == "1")

            let chain = try #require(await setup.chainText(names.chain))
            #expect(chain.contains("chain \(names.chain) {\n\t\tdrop\n\t}"))
            let state = try await setup.firewall()
            #expect(state.sessionJumps[names.hostInterface] == names.chain)
            #expect(state.gateways.contains(.init(interface: names.hostInterface, address: "\(lease.gateway)")))
            #expect(state.proxied.contains(names.hostInterface))
            await networking.detach(sessionID: id)
        }
    }

    @Test("from a limited session only the gateway's proxy ports answer; the host's services do not")
    func limitedReachability() async throws {
        try await NetworkTestHost.with { networking, _, setup in
            let id = newID()
            _ = try await networking.attach(sessionID: id, policy: Self.limited)
            let names = setup.names.session(id)
            let lease = try #require(await networking.lease(of: id))
            let proxy = try await SocketProbe.listen(on: lease.gateway, port: EgressPorts.proxy)
            // A host service on every address, on a port the kernel picks.
            let anyAddress = try await SocketProbe.listen(on: IPv4Address(0), port: 0)
            defer { close(proxy); close(anyAddress) }
            let servicePort = SocketProbe.localPort(anyAddress)

            #expect(try await SocketProbe.connect(from: names.namespacePath, to: lease.gateway, port: EgressPorts.proxy,
                                                  waitMilliseconds: 10_000) == .connected)
            #expect(SocketProbe.acceptedPeer(proxy) == lease.sessionAddress)
            // The host answers on every address (the listener is on 0.0.0.0), but not to the session.
            #expect(try await SocketProbe.connect(from: nil, to: lease.gateway, port: servicePort) == .connected)
            #expect(try await SocketProbe.connect(from: names.namespacePath, to: lease.gateway, port: servicePort) == .noAnswer)
            let host = try #require(NetworkTestHost.hostAddress)
            #expect(try await SocketProbe.connect(from: names.namespacePath, to: host, port: servicePort) == .noAnswer)
            // 127.0.0.1 inside the session is the session's own loopback, never the host's.
            #expect(try await SocketProbe.connect(from: names.namespacePath, to: IPv4Address("127.0.0.1")!, port: servicePort) == .refused)
            // Nothing is forwarded: a direct connection to another port of a public address dies.
            #expect(try await SocketProbe.connect(from: names.namespacePath, to: IPv4Address("203.0.113.7")!, port: 22) == .noAnswer)
            await networking.detach(sessionID: id)
        }
    }

    @Test("a limited session's TCP 80/443 lands on the transparent listener; DNS reaches the responder only at the gateway")
    func redirects() async throws {
        try await NetworkTestHost.with { networking, _, setup in
            let id = newID()
            _ = try await networking.attach(sessionID: id, policy: .allowlist(domains: []))
            let names = setup.names.session(id)
            let lease = try #require(await networking.lease(of: id))
            let transparent = try await SocketProbe.listen(on: lease.gateway, port: EgressPorts.transparent)
            let dns = try await SocketProbe.udp(on: lease.gateway, port: EgressPorts.dns)
            defer { close(transparent); close(dns) }

            for port in [80, 443] {
                #expect(try await SocketProbe.connect(from: names.namespacePath, to: IPv4Address("203.0.113.7")!, port: port,
                                                      waitMilliseconds: 10_000) == .connected)
                #expect(SocketProbe.acceptedPeer(transparent) == lease.sessionAddress)
            }
            try await SocketProbe.send(from: names.namespacePath, to: lease.gateway, port: 53, payload: "query")
            let received = await SocketProbe.receive(dns)
            #expect(received?.payload == "query")
            #expect(received?.sender == lease.sessionAddress)
            // A query to another resolver is dropped, not redirected: nothing arrives.
            try await SocketProbe.send(from: names.namespacePath, to: IPv4Address("198.51.100.53")!, port: 53, payload: "elsewhere")
            #expect(await SocketProbe.receive(dns) == nil)
            await networking.detach(sessionID: id)
        }
    }

    @Test("an unrestricted session's chain drops the denied set and forwards the rest; no proxy settings")
    func unrestricted() async throws {
        try await NetworkTestHost.with { networking, _, setup in
            let id = newID()
            let attachment = try await networking.attach(sessionID: id, policy: .unrestricted)
            let names = setup.names.session(id)
            let lease = try #require(await networking.lease(of: id))
            #expect(attachment.environment.isEmpty && attachment.rootFiles.isEmpty)
            #expect(attachment.resolvConf == "nameserver \(lease.gateway)\noptions ndots:0\n")

            let chain = try #require(await setup.chainText(names.chain))
            #expect(chain.contains("oifname \"\(names.hostInterface)\" ct state established,related accept"))
            #expect(chain.contains("ip saddr != \(lease.sessionAddress) drop"))
            let denied = try #require(chain.split(separator: "\n").first { $0.contains("ip daddr {") })
            for range in ["169.254.0.0/16", "10.0.0.0/8", "127.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"] {
                #expect(denied.contains(range))
            }
            if let host = NetworkTestHost.hostAddress { #expect(denied.contains("\(host)")) }
            #expect(denied.hasSuffix("} drop"))
            #expect(chain.contains("\t\taccept\n"))
            let state = try await setup.firewall()
            #expect(!state.proxied.contains(names.hostInterface))

            // Dropped before leaving the host: the metadata address never answers.
            #expect(try await SocketProbe.connect(from: names.namespacePath, to: IPv4Address("169.254.169.254")!, port: 80) == .noAnswer)
            await networking.detach(sessionID: id)
        }
    }

    @Test("an unrestricted session is forwarded and masqueraded to a public address, not to a private one; nothing gets in")
    func forwarding() async throws {
        try await NetworkTestHost.with { networking, _, setup in
            // A stand-in for the internet: a namespace behind a veth of its own, holding a public
            // (TEST-NET-2) and a private address.
            let wan = FakeUplink(tag: setup.names.interfacePrefix)
            do {
                try await wan.create()
                let open = newID(), limited = newID()
                _ = try await networking.attach(sessionID: open, policy: .unrestricted)
                _ = try await networking.attach(sessionID: limited, policy: Self.limited)
                let lease = try #require(await networking.lease(of: open))
                let openPath = setup.names.session(open).namespacePath
                let limitedPath = setup.names.session(limited).namespacePath
                let listener = try await SocketProbe.listen(in: wan.namespacePath, on: IPv4Address(0), port: 18_085)
                let inSession = try await SocketProbe.listen(in: openPath, on: IPv4Address(0), port: 18_085)
                defer { close(listener); close(inSession) }

                #expect(try await SocketProbe.connect(from: openPath, to: FakeUplink.publicAddress, port: 18_085,
                                                      waitMilliseconds: 10_000) == .connected)
                #expect(SocketProbe.acceptedPeer(listener) == FakeUplink.hostAddress)
                #expect(try await SocketProbe.connect(from: openPath, to: FakeUplink.privateAddress, port: 18_085) == .noAnswer)
                #expect(try await SocketProbe.connect(from: limitedPath, to: FakeUplink.publicAddress, port: 18_085) == .noAnswer)
                #expect(try await SocketProbe.connect(from: wan.namespacePath, to: lease.sessionAddress, port: 18_085) == .noAnswer)
                await networking.detach(sessionID: open)
                await networking.detach(sessionID: limited)
            } catch {
                await wan.remove()
                throw error
            }
            await wan.remove()
        }
    }

    @Test("two sessions get different /30s and cannot reach each other or each other's gateway")
    func twoSessions() async throws {
        try await NetworkTestHost.with { networking, _, setup in
            let first = newID(), second = newID()
            _ = try await networking.attach(sessionID: first, policy: .unrestricted)
            _ = try await networking.attach(sessionID: second, policy: Self.limited)
            let a = try #require(await networking.lease(of: first))
            let b = try #require(await networking.lease(of: second))
            #expect(a.subnet != b.subnet)
            let pathA = setup.names.session(first).namespacePath
            let pathB = setup.names.session(second).namespacePath

            let inA = try await SocketProbe.listen(in: pathA, on: IPv4Address(0), port: 18_082)
            let inB = try await SocketProbe.listen(in: pathB, on: IPv4Address(0), port: 18_082)
            let proxyA = try await SocketProbe.listen(on: a.gateway, port: EgressPorts.proxy)
            defer { close(inA); close(inB); close(proxyA) }
            // The listeners work: each session reaches its own.
            #expect(try await SocketProbe.connect(from: pathA, to: a.sessionAddress, port: 18_082, waitMilliseconds: 10_000) == .connected)
            #expect(try await SocketProbe.connect(from: pathB, to: b.sessionAddress, port: 18_082, waitMilliseconds: 10_000) == .connected)
            // The sessions do not reach each other, nor the other's gateway.
            #expect(try await SocketProbe.connect(from: pathA, to: b.sessionAddress, port: 18_082) == .noAnswer)
            #expect(try await SocketProbe.connect(from: pathB, to: a.sessionAddress, port: 18_082) == .noAnswer)
            #expect(try await SocketProbe.connect(from: pathB, to: a.gateway, port: EgressPorts.proxy) == .noAnswer)
            #expect(try await SocketProbe.connect(from: pathA, to: a.gateway, port: EgressPorts.proxy, waitMilliseconds: 10_000) == .connected)
            await networking.detach(sessionID: first)
            await networking.detach(sessionID: second)
        }
    }

    @Test("prepare turns on forwarding and applies the table again without touching the sessions' entries")
    func prepareIsIdempotent() async throws {
        try await NetworkTestHost.with { networking, _, setup in
            try await networking.prepare()
            #expect(Sysctl.read("net.ipv4.ip_forward") == "1")
            #expect(try await setup.firewall().baseProblems(networking.ruleset).isEmpty)
            let id = newID()
            _ = try await networking.attach(sessionID: id, policy: Self.limited)
            // A restarted server applies the base table again, in place.
            let restarted = try setup.makeNetworking(gateway: RecordingGateway())
            try await restarted.prepare()
            try await networking.prepare()
            let names = setup.names.session(id)
            let state = try await setup.firewall()
            let firewall = SessionFirewall(names: names, lease: try #require(await networking.lease(of: id)), access: .gatewayOnly)
            #expect(state.problems(of: firewall, ruleset: networking.ruleset).isEmpty)
            await restarted.detach(sessionID: id)
            #expect(await setup.chainText(names.chain) == nil)
        }
    }

    @Test("sessions attached at the same time get distinct /30s and verified chains")
    func concurrentAttaches() async throws {
        try await NetworkTestHost.with { networking, gateway, setup in
            let ids = (0..<6).map { _ in newID() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, id) in ids.enumerated() {
                    group.addTask { _ = try await networking.attach(sessionID: id, policy: index % 2 == 0 ? .unrestricted : Self.limited) }
                }
                try await group.waitForAll()
            }
            var subnets: Set<IPv4Network> = []
            for id in ids { subnets.insert(try #require(await networking.lease(of: id)).subnet) }
            #expect(subnets.count == ids.count)
            #expect(Set(gateway.attached.map(\.sessionID)) == Set(ids))
            let state = try await setup.firewall()
            #expect(Set(state.sessionJumps.values) == Set(ids.map { setup.names.session($0).chain }))
            await withTaskGroup(of: Void.self) { group in
                for id in ids { group.addTask { await networking.detach(sessionID: id) } }
            }
            #expect(try await setup.firewall().sessionJumps.isEmpty)
            #expect(SessionLinks.namespaces().filter(setup.names.isNamespace).isEmpty)
        }
    }

    @Test("detach removes the namespace, veth, chain, set entries and lease; again and for unknown ids it is quiet")
    func detach() async throws {
        try await NetworkTestHost.with { networking, gateway, setup in
            let id = newID()
            _ = try await networking.attach(sessionID: id, policy: Self.limited)
            let names = setup.names.session(id)
            await networking.detach(sessionID: id)
            try await expectNothingLeft(of: id, networking: networking, setup: setup)
            #expect(gateway.detached == [id])
            await networking.detach(sessionID: id)
            await networking.detach(sessionID: "ses_unknown")
            await networking.detach(sessionID: "../not-an-id")
            #expect(!FileManager.default.fileExists(atPath: names.namespacePath))
            // The freed /30 is handed out again.
            let next = newID()
            _ = try await networking.attach(sessionID: next, policy: .unrestricted)
            #expect(await networking.lease(of: next)?.subnet.description == setup.firstBlock)
            await networking.detach(sessionID: next)
        }
    }

    @Test("attaching a session twice is a conflict and keeps the first network")
    func attachTwice() async throws {
        try await NetworkTestHost.with { networking, _, setup in
            let id = newID()
            _ = try await networking.attach(sessionID: id, policy: .unrestricted)
            await #expect(throws: PaddockError.self) { try await networking.attach(sessionID: id, policy: .unrestricted) }
            #expect(FileManager.default.fileExists(atPath: setup.names.session(id).namespacePath))
            await #expect(throws: PaddockError.self) { try await networking.attach(sessionID: "-bad", policy: .unrestricted) }
            await networking.detach(sessionID: id)
        }
    }

    @Test("after a restart, leftovers of sessions not kept are removed; kept ones and foreign names stay")
    func leftovers() async throws {
        try await NetworkTestHost.with { networking, _, setup in
            let kept = newID(), gone = newID()
            _ = try await networking.attach(sessionID: kept, policy: Self.limited)
            _ = try await networking.attach(sessionID: gone, policy: .unrestricted)
            let keptLease = try #require(await networking.lease(of: kept))
            let goneLease = try #require(await networking.lease(of: gone))
            // A leftover no lease knows of: namespace, veth and chain with Paddock's names.
            let planted = setup.names.session("ses_planted")
            let tools = NetworkTools.standard
            try await tools.runIP(["netns", "add", planted.namespace])
            try await tools.runIP(["link", "add", "name", planted.hostInterface, "type", "veth", "peer", "name", setup.names.interfacePrefix + "peer"])
            try await tools.applyRuleset("add chain inet \(setup.names.table) \(planted.chain)\n")
            // Objects whose names only look similar are not Paddock's.
            try await tools.runIP(["netns", "add", "paddock-test-other"])
            defer { Task { try? await tools.runIP(["netns", "delete", "paddock-test-other"]) } }

            let restarted = try setup.makeNetworking(gateway: RecordingGateway())
            #expect(await restarted.lease(of: kept) == keptLease)
            let removed = await restarted.removeLeftovers(keeping: [kept])
            let goneNames = setup.names.session(gone)
            for entry in ["network namespace \(planted.namespace)", "veth \(planted.hostInterface)", "nftables chain \(planted.chain)",
                          "network namespace \(goneNames.namespace)", "nftables chain \(goneNames.chain)",
                          "address lease \(goneLease.subnet) of session \(gone)"] {
                #expect(removed.contains(entry), "\(entry) is not in \(removed)")
            }
            try await expectNothingLeft(of: gone, networking: restarted, setup: setup)
            #expect(!SessionLinks.interfaceExists(planted.hostInterface) && !SessionLinks.interfaceExists(setup.names.interfacePrefix + "peer"))
            #expect(await setup.chainText(planted.chain) == nil)
            #expect(FileManager.default.fileExists(atPath: "/run/netns/paddock-test-other"))
            try await tools.runIP(["netns", "delete", "paddock-test-other"])

            let keptNames = setup.names.session(kept)
            #expect(FileManager.default.fileExists(atPath: keptNames.namespacePath))
            #expect(SessionLinks.interfaceExists(keptNames.hostInterface))
            #expect(await setup.chainText(keptNames.chain) != nil)
            #expect(await restarted.removeLeftovers(keeping: [kept]).isEmpty)
            await restarted.detach(sessionID: kept)
            try await expectNothingLeft(of: kept, networking: restarted, setup: setup)
        }
    }

    @Test("after a restart, adopt checks the surviving network and has the gateway serve it again; a missing chain or lease refuses")
    func adopt() async throws {
        try await NetworkTestHost.with { networking, _, setup in
            let kept = newID(), broken = newID()
            _ = try await networking.attach(sessionID: kept, policy: Self.limited)
            _ = try await networking.attach(sessionID: broken, policy: Self.limited)
            let keptLease = try #require(await networking.lease(of: kept))
            // The broken session's chain vanished while the server was down.
            let brokenNames = setup.names.session(broken)
            let state = try await setup.firewall()
            let script = try #require(networking.ruleset.removal(interfaces: [brokenNames.hostInterface], chains: [brokenNames.chain],
                                                                from: state))
            try await NetworkTools.standard.applyRuleset(script)

            let gateway = RecordingGateway()
            let restarted = try setup.makeNetworking(gateway: gateway)
            try await restarted.adopt(sessionID: kept, policy: Self.limited)
            #expect(gateway.attached == [.init(sessionID: kept, gateway: keptLease.gateway, policy: Self.limited)])
            // The chain verified is the one of the policy the session was made with.
            await #expect(throws: PaddockError.self) { try await restarted.adopt(sessionID: kept, policy: .unrestricted) }
            let error = await #expect(throws: PaddockError.self) { try await restarted.adopt(sessionID: broken, policy: Self.limited) }
            #expect(error?.message.contains("firewall") == true, "\(String(describing: error))")
            await #expect(throws: PaddockError.self) { try await restarted.adopt(sessionID: newID(), policy: Self.limited) }
            #expect(gateway.attached.count == 1)

            for id in [kept, broken] { await restarted.detach(sessionID: id) }
            try await expectNothingLeft(of: kept, networking: restarted, setup: setup)
            try await expectNothingLeft(of: broken, networking: restarted, setup: setup)
        }
    }

    @Test("a stopping server removes its table only when no session holds a lease")
    func removeTableIfUnused() async throws {
        try await NetworkTestHost.with { networking, _, setup in
            let id = newID()
            _ = try await networking.attach(sessionID: id, policy: Self.limited)
            #expect(await networking.removeTableIfUnused() == false)
            _ = try await setup.firewall()
            await networking.detach(sessionID: id)
            #expect(await networking.removeTableIfUnused() == true)
            await #expect(throws: PaddockError.self) { _ = try await setup.firewall() }
            // The next session applies the table again.
            _ = try await networking.attach(sessionID: id, policy: Self.limited)
            _ = try await setup.firewall()
            await networking.detach(sessionID: id)
        }
    }

    @Test("a failing nft makes attach throw and leaves nothing behind")
    func failingNft() async throws {
        try await NetworkTestHost.with { _, _, setup in
            let gateway = RecordingGateway()
            let tools = NetworkTools(ip: NetworkTools.standard.ip, nft: "/bin/false")
            let broken = try setup.makeNetworking(gateway: gateway, tools: tools)
            let id = newID()
            let error = await #expect(throws: PaddockError.self) { try await broken.attach(sessionID: id, policy: .unrestricted) }
            #expect(error?.message.contains("nft") == true)
            #expect(gateway.attached.isEmpty)
            let names = setup.names.session(id)
            #expect(!FileManager.default.fileExists(atPath: names.namespacePath))
            #expect(!SessionLinks.interfaceExists(names.hostInterface))
            #expect(await broken.lease(of: id) == nil)
            #expect(!FileManager.default.fileExists(atPath: "\(setup.stateDirectory)/\(id).lease"))
        }
    }

    @Test("a gateway that cannot serve the session fails the attach and everything made is removed")
    func failingGateway() async throws {
        try await NetworkTestHost.with(gateway: RecordingGateway(refuses: true)) { networking, gateway, setup in
            let id = newID()
            await #expect(throws: PaddockError.self) { try await networking.attach(sessionID: id, policy: Self.limited) }
            #expect(gateway.detached == [id])
            try await expectNothingLeft(of: id, networking: networking, setup: setup)
        }
    }

    /// No namespace, veth, chain, set entry or lease of `id` is left.
    func expectNothingLeft(of id: String, networking: HostNetworking, setup: NetworkTestHost,
                           sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let names = setup.names.session(id)
        #expect(!FileManager.default.fileExists(atPath: names.namespacePath), sourceLocation: sourceLocation)
        #expect(!SessionLinks.interfaceExists(names.hostInterface), sourceLocation: sourceLocation)
        #expect(await setup.chainText(names.chain) == nil, sourceLocation: sourceLocation)
        let state = try await setup.firewall()
        #expect(state.sessionJumps[names.hostInterface] == nil, sourceLocation: sourceLocation)
        #expect(!state.gateways.contains { $0.interface == names.hostInterface }, sourceLocation: sourceLocation)
        #expect(!state.proxied.contains(names.hostInterface), sourceLocation: sourceLocation)
        #expect(await networking.lease(of: id) == nil, sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: "\(setup.stateDirectory)/\(id).lease"), sourceLocation: sourceLocation)
    }
}

/// A namespace standing in for the internet, joined to the host by a veth: the host end has
/// 198.51.100.1/30, the far end 198.51.100.2/30 (public, TEST-NET-2) and 10.214.0.2/30
/// (private), and routes the test pools back through the host.
struct FakeUplink {
    static let hostAddress = IPv4Address("198.51.100.1")!
    static let publicAddress = IPv4Address("198.51.100.2")!
    static let privateAddress = IPv4Address("10.214.0.2")!
    let namespace: String
    let hostInterface: String

    init(tag: String) {
        namespace = "paddock-\(tag)-internet"
        hostInterface = "wan\(tag)"
    }

    var namespacePath: String { "/run/netns/\(namespace)" }

    func create() async throws {
        let tools = NetworkTools.standard
        let inside = ["-n", namespace]
        try await tools.runIP(["netns", "add", namespace])
        try await tools.runIP(["link", "add", "name", hostInterface, "type", "veth", "peer", "name", "eth0", "netns", namespace])
        try await tools.runIP(["address", "add", "198.51.100.1/30", "dev", hostInterface])
        try await tools.runIP(["link", "set", "dev", hostInterface, "up"])
        try await tools.runIP(["route", "add", "10.214.0.0/30", "via", "198.51.100.2", "dev", hostInterface])
        try await tools.runIP(inside + ["address", "add", "198.51.100.2/30", "dev", "eth0"])
        try await tools.runIP(inside + ["address", "add", "10.214.0.2/30", "dev", "eth0"])
        try await tools.runIP(inside + ["link", "set", "dev", "lo", "up"])
        try await tools.runIP(inside + ["link", "set", "dev", "eth0", "up"])
        try await tools.runIP(inside + ["route", "add", "10.213.0.0/16", "via", "198.51.100.1"])
    }

    func remove() async {
        _ = try? await NetworkTools.standard.runIP(["link", "delete", "dev", hostInterface])
        _ = try? await NetworkTools.standard.runIP(["netns", "delete", namespace])
    }
}
