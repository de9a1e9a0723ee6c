import Testing
@testable import PaddockCore

/// The always-denied address set of network.md and the operator's `--allow-cidr`.
@Suite("Egress address policy")
struct EgressAddressPolicyTests {
    static let plain = AddressPolicy()

    @Test("special-purpose addresses are denied in every spelling", arguments: [
        "0.0.0.0", "0.1.2.3", "127.0.0.1", "127.255.255.254", "169.254.169.254", "10.0.0.1", "10.255.255.255",
        "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1", "100.127.255.255", "224.0.0.1",
        "239.255.255.250", "240.0.0.1", "255.255.255.255",
        // spellings of 169.254.169.254 and 127.0.0.1
        "2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "169.254.43518", "0xA9.0xFE.0xA9.0xFE", "::ffff:169.254.169.254",
        "[::ffff:a9fe:a9fe]", "2130706433", "0x7f000001", "0177.0.0.1", "127.1", "0x7f.1", "::ffff:127.0.0.1",
    ])
    func deniedSpellings(text: String) throws {
        let address = try #require(IPv4Address.parseLenient(text))
        #expect(Self.plain.isDenied(address))
    }

    @Test("public addresses are not denied", arguments: [
        "1.1.1.1", "8.8.8.8", "151.101.0.223", "9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0",
        "192.167.255.255", "192.169.0.0", "100.63.255.255", "100.128.0.0", "223.255.255.255", "169.253.255.255",
    ])
    func publicAllowed(text: String) throws {
        #expect(!Self.plain.isDenied(try #require(IPv4Address(text))))
    }

    @Test("every IPv6 address is denied except mapped public IPv4")
    func ipv6() throws {
        #expect(Self.plain.isDenied(try #require(IPv6Address("2001:db8::1"))))
        #expect(Self.plain.isDenied(try #require(IPv6Address("::1"))))
        #expect(Self.plain.isDenied(try #require(IPv6Address("2606:4700::1111"))))
        #expect(Self.plain.isDenied(try #require(IPv6Address("::ffff:10.0.0.1"))))
        #expect(!Self.plain.isDenied(try #require(IPv6Address("::ffff:1.1.1.1"))))
    }

    @Test("an operator range opens part of the denied set, but not the pool or the host")
    func operatorRanges() throws {
        let policy = AddressPolicy(
            extraDenied: [try IPv4Network.parse("10.203.0.0/16", param: "pool"), try IPv4Network.parse("198.51.100.7", param: "host")],
            allowed: [try IPv4Network.parse("10.0.0.0/8", param: "allow"), try IPv4Network.parse("198.51.100.0/24", param: "allow")])
        #expect(!policy.isDenied(IPv4Address("10.1.2.3")!))
        #expect(policy.isDenied(IPv4Address("10.203.0.1")!))
        #expect(policy.isDenied(IPv4Address("198.51.100.7")!))
        #expect(!policy.isDenied(IPv4Address("198.51.100.8")!))
        #expect(policy.isDenied(IPv4Address("192.168.0.1")!))
        #expect(policy.isDenied(IPv4Address("127.0.0.1")!))
    }

    @Test("a package mirror's exact endpoint is reachable even on loopback; its other ports and neighbours are not")
    func mirrorEndpoints() throws {
        let loopback = IPv4Address("127.0.0.1")!
        let addresses = AddressPolicy(extraDenied: [try IPv4Network.parse("127.0.0.1", param: "host")],
                                      mirrors: [.init(address: loopback, port: 4873)])
        #expect(!addresses.isDenied(loopback, port: 4873))
        #expect(addresses.isDenied(loopback, port: 8080))
        #expect(addresses.isDenied(IPv4Address("127.0.0.2")!, port: 4873))
        #expect(addresses.isDenied(loopback))
        // A policy must still allow the mirror's host: the endpoint only lifts the address check.
        let mirrorOnly = EgressPolicy(.allowlist(domains: [try HostPattern.parse("127.0.0.1:4873", param: "d")]),
                                      presets: .empty, addresses: addresses)
        #expect(mirrorOnly.decide(host: "127.0.0.1", port: 4873) == nil)
        #expect(mirrorOnly.decide(host: "2130706433", port: 4873) == nil)
        #expect(mirrorOnly.decide(host: "127.0.0.1", port: 8080) == .addressDenied)
        let other = EgressPolicy(.allowlist(domains: [try HostPattern.parse("pypi.org", param: "d")]), presets: .empty,
                                 addresses: addresses)
        #expect(other.decide(host: "127.0.0.1", port: 4873) == .hostNotAllowed)
    }

    @Test("networks parse in canonical CIDR form", arguments: [
        ("10.0.0.0/8", "10.0.0.0/8"), ("203.0.113.7", "203.0.113.7/32"), ("0.0.0.0/0", "0.0.0.0/0"), ("127.0.0.1/32", "127.0.0.1/32"),
    ])
    func networkParse(text: String, canonical: String) throws {
        #expect(try IPv4Network.parse(text, param: "cidr").description == canonical)
    }

    @Test("invalid networks are refused", arguments: ["10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "010.0.0.0/8", "x/8", "10.0.0.0/8/1", ""])
    func networkInvalid(text: String) {
        #expect(throws: PaddockError.self) { try IPv4Network.parse(text, param: "allow_cidr") }
    }
}
