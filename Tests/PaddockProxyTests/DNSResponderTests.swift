import Foundation
import PaddockCore
import Testing
@testable import PaddockProxy

/// The DNS responder over real UDP on loopback.
@Suite("Egress DNS responder")
struct DNSResponderTests {
    static func harness() async throws -> GatewayHarness {
        try await GatewayHarness.start(.allowlist(domains: patterns("pypi.org", "*.pythonhosted.org")),
                                       names: ["pypi.org": ["151.101.0.223", "151.101.64.223"], "files.pythonhosted.org": ["151.101.1.63"],
                                               "deb.debian.org": ["199.232.170.132"]])
    }

    static func ask(_ harness: GatewayHarness, _ query: [UInt8]) async throws -> [UInt8] {
        try await onThread { try TestDatagramSocket().exchange(query, host: harness.address, port: harness.ports.dns) }
    }

    @Test("an allowed name gets its A records")
    func allowedName() async throws {
        let harness = try await Self.harness()
        let answer = try await Self.ask(harness, ProtocolParsingTests.dnsQuery("PyPI.org", id: 0xBEEF))
        #expect(Array(answer[0..<2]) == [0xBE, 0xEF])
        #expect(answer[3] & 0x0F == 0, "rcode")
        #expect(Array(answer[6..<8]) == [0, 2], "two answers")
        #expect(Array(answer.suffix(4)) == [151, 101, 64, 223])
        let event = try #require(await harness.events.waitFor { $0.protocolName == .dns })
        #expect(event.allowed)
        #expect(event.host == "pypi.org")
        #expect(event.port == 53)
        #expect(event.address == "151.101.0.223")
        await harness.stop()
    }

    @Test("a wildcard entry allows names below it")
    func wildcard() async throws {
        let harness = try await Self.harness()
        let answer = try await Self.ask(harness, ProtocolParsingTests.dnsQuery("files.pythonhosted.org"))
        #expect(Array(answer.suffix(4)) == [151, 101, 1, 63])
        await harness.stop()
    }

    @Test("a name outside the policy gets NXDOMAIN and is never looked up", arguments: ["deb.debian.org", "pythonhosted.org", "evil.pypi.org", "1.2.3.4", "a_b.pypi.org"])
    func refusedName(name: String) async throws {
        let harness = try await Self.harness()
        let answer = try await Self.ask(harness, ProtocolParsingTests.dnsQuery(name))
        #expect(answer[3] & 0x0F == 3, "NXDOMAIN")
        #expect(Array(answer[6..<8]) == [0, 0])
        let event = try #require(await harness.events.waitFor { $0.protocolName == .dns })
        #expect(!event.allowed)
        #expect(event.reason == .hostNotAllowed)
        #expect(harness.resolver.questions.isEmpty)
        await harness.stop()
    }

    @Test("AAAA gets an empty NOERROR answer")
    func aaaa() async throws {
        let harness = try await Self.harness()
        let answer = try await Self.ask(harness, ProtocolParsingTests.dnsQuery("pypi.org", type: 28))
        #expect(answer[3] & 0x0F == 0)
        #expect(Array(answer[6..<8]) == [0, 0])
        #expect(harness.resolver.questions.isEmpty)
        await harness.stop()
    }

    @Test("a malformed query gets FORMERR and is recorded")
    func malformed() async throws {
        let harness = try await Self.harness()
        var query = ProtocolParsingTests.dnsQuery("pypi.org")
        query[5] = 3
        let answer = try await Self.ask(harness, query)
        #expect(answer[3] & 0x0F == 1)
        #expect(await harness.events.waitFor { $0.protocolName == .dns && $0.reason == .malformed } != nil)
        await harness.stop()
    }

    @Test("an allowed name that does not exist gets NXDOMAIN from the resolver's answer")
    func unknownAllowedName() async throws {
        let harness = try await GatewayHarness.start(.unrestricted)
        let answer = try await Self.ask(harness, ProtocolParsingTests.dnsQuery("missing.example"))
        #expect(answer[3] & 0x0F == 3)
        #expect(harness.resolver.questions == ["missing.example"])
        await harness.stop()
    }
}
