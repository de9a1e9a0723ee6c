import Foundation
import PaddockCore
import Testing
@testable import PaddockProxy

/// What the explicit proxy refuses, and how the refusal looks (network.md, "Bypass tests").
@Suite("Egress proxy refusals")
struct ProxyRefusalTests {
    static let pypiOnly = NetworkingPolicy.allowlist(domains: patterns("pypi.org", "files.pythonhosted.org"))

    /// Sends `request` and returns the whole answer.
    static func ask(_ harness: GatewayHarness, _ request: String) async throws -> String {
        try await onThread {
            let socket = try harness.proxyConnection()
            try socket.send(request)
            return String(decoding: try socket.receiveAll(), as: UTF8.self)
        }
    }

    @Test("a host outside the policy gets 403 naming the host, the reason and the policy")
    func hostNotAllowed() async throws {
        let harness = try await GatewayHarness.start(Self.pypiOnly, names: ["deb.debian.org": ["127.0.0.1"]])
        let response = try await Self.ask(harness, "CONNECT deb.debian.org:443 HTTP/1.1\r\nHost: deb.debian.org:443\r\n\r\n")
        #expect(response.hasPrefix("HTTP/1.1 403 Forbidden\r\n"))
        #expect(response.contains("\r\nx-paddock-deny-reason: host_not_allowed\r\n"))
        let body = try #require(response.components(separatedBy: "\r\n\r\n").last)
        #expect(body.contains("deb.debian.org"))
        #expect(body.contains("allowlist [pypi.org, files.pythonhosted.org]"))
        let event = try #require(await harness.events.waitFor { $0.host == "deb.debian.org" })
        #expect(!event.allowed)
        #expect(event.reason == .hostNotAllowed)
        #expect(event.protocolName == .connect)
        #expect(harness.resolver.questions.isEmpty, "a refused name must not be resolved")
        await harness.stop()
    }

    @Test("the host's own addresses are refused as they are now, even inside an operator range; a mirror's endpoint is not")
    func hostAddresses() async throws {
        let upstream = try UpstreamServer.echo()
        defer { upstream.stop() }
        let loopback = IPv4Address("127.0.0.1")!
        let policy = NetworkingPolicy.allowlist(domains: patterns("127.0.0.1:\(upstream.port)", "host.test:\(upstream.port)"))
        let checked = try await GatewayHarness.start(policy, names: ["host.test": ["127.0.0.1"]],
                                                     tune: { $0.hostAddresses = HostAddressWatch(read: { [] }) })
        for target in ["127.0.0.1", "host.test"] {
            let response = try await Self.ask(checked, "CONNECT \(target):\(upstream.port) HTTP/1.1\r\n\r\n")
            #expect(response.contains("x-paddock-deny-reason: address_denied"), "\(target): \(response)")
        }
        await checked.stop()
        // The same endpoint as a configured package mirror is reachable.
        let mirror = try await GatewayHarness.start(policy, names: ["host.test": ["127.0.0.1"]],
                                                    mirrors: [.init(address: loopback, port: upstream.port)],
                                                    tune: { $0.hostAddresses = HostAddressWatch(read: { [] }) })
        let answer = try await onThread {
            let socket = try mirror.proxyConnection()
            try socket.send("CONNECT host.test:\(upstream.port) HTTP/1.1\r\n\r\n")
            return try socket.receiveHead()
        }
        #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
        await mirror.stop()
    }

    @Test("an absolute-URI request to a host outside the policy gets 403 too")
    func httpHostNotAllowed() async throws {
        let harness = try await GatewayHarness.start(Self.pypiOnly)
        let response = try await Self.ask(harness, "GET http://example.net/ HTTP/1.1\r\nHost: example.net\r\n\r\n")
        #expect(response.hasPrefix("HTTP/1.1 403"))
        #expect(response.contains("x-paddock-deny-reason: host_not_allowed"))
        #expect(await harness.events.waitFor { $0.protocolName == .http && $0.reason == .hostNotAllowed } != nil)
        await harness.stop()
    }

    @Test("an allowed host on another port gets port_not_allowed")
    func portNotAllowed() async throws {
        let harness = try await GatewayHarness.start(Self.pypiOnly, names: ["pypi.org": ["127.0.0.1"]])
        let response = try await Self.ask(harness, "CONNECT pypi.org:22 HTTP/1.1\r\n\r\n")
        #expect(response.hasPrefix("HTTP/1.1 403"))
        #expect(response.contains("x-paddock-deny-reason: port_not_allowed"))
        #expect(response.contains("port 22 of pypi.org"))
        let event = try #require(await harness.events.waitFor { $0.reason == .portNotAllowed })
        #expect(event.port == 22)
        await harness.stop()
    }

    @Test("denied addresses are refused in every spelling, even under unrestricted", arguments: [
        "169.254.169.254", "2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "169.254.43518", "[::ffff:169.254.169.254]",
        "[::ffff:a9fe:a9fe]", "127.0.0.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.1", "[::ffff:127.0.0.1]", "[::1]",
        "10.0.0.1", "[2001:db8::1]",
    ])
    func addressDenied(target: String) async throws {
        let harness = try await GatewayHarness.start(.unrestricted, allowLoopback: false)
        let response = try await Self.ask(harness, "CONNECT \(target):443 HTTP/1.1\r\n\r\n")
        #expect(response.hasPrefix("HTTP/1.1 403"), "\(target)")
        #expect(response.contains("x-paddock-deny-reason: address_denied"), "\(target)")
        let event = try #require(await harness.events.waitFor { $0.reason == .addressDenied })
        #expect(!event.host.isEmpty)
        #expect(harness.resolver.questions.isEmpty)
        await harness.stop()
    }

    @Test("an allowed name that resolves to a denied address is refused after resolving")
    func resolvedAddressDenied() async throws {
        let harness = try await GatewayHarness.start(.allowlist(domains: patterns("internal.example.com")),
                                                     names: ["internal.example.com": ["10.0.0.5", "169.254.169.254"]], allowLoopback: false)
        let response = try await Self.ask(harness, "GET http://internal.example.com/ HTTP/1.1\r\n\r\n")
        #expect(response.contains("x-paddock-deny-reason: address_denied"))
        let event = try #require(await harness.events.waitFor { $0.reason == .addressDenied })
        #expect(event.address == "10.0.0.5")
        #expect(harness.resolver.questions == ["internal.example.com"])
        await harness.stop()
    }

    @Test("a ClientHello naming another host than the CONNECT target is refused by closing")
    func sniMismatch() async throws {
        let upstream = try UpstreamServer.echo()
        defer { upstream.stop() }
        let harness = try await GatewayHarness.start(.allowlist(domains: patterns("pypi.org")), names: ["pypi.org": ["127.0.0.1"]])
        let ending = try await onThread {
            let socket = try harness.proxyConnection()
            try socket.send("CONNECT pypi.org:443 HTTP/1.1\r\n\r\n")
            let head = try socket.receiveHead()
            guard head.hasPrefix("HTTP/1.1 200") else { return head }
            try socket.send(clientHello(serverName: "deb.debian.org"))
            return socket.ending()
        }
        #expect(ending == "eof" || ending == "reset")
        let event = try #require(await harness.events.waitFor { $0.reason == .sniMismatch })
        #expect(event.host == "pypi.org")
        #expect(!event.allowed)
        await harness.stop()
    }

    @Test("malformed requests are answered or closed, recorded, and do not disturb other connections", arguments: [
        ("garbage", "\u{16}\u{3}\u{1}\u{0}\r\n\r\n", "HTTP/1.1 400"),
        ("no version", "GET http://pypi.org/\r\n\r\n", "HTTP/1.1 400"),
        ("CONNECT without port", "CONNECT pypi.org HTTP/1.1\r\n\r\n", "HTTP/1.1 400"),
        ("origin form", "GET / HTTP/1.1\r\nHost: pypi.org\r\n\r\n", "HTTP/1.1 400"),
        ("https URI", "GET https://pypi.org/ HTTP/1.1\r\n\r\n", "HTTP/1.1 400"),
        ("oversize head", "GET http://pypi.org/ HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 17 * 1024) + "\r\n\r\n", "HTTP/1.1 431"),
        ("folded header", "GET http://pypi.org/ HTTP/1.1\r\nA: b\r\n c\r\n\r\n", "HTTP/1.1 400"),
        ("bare LF", "GET http://pypi.org/ HTTP/1.1\nHost: pypi.org\n\n", nil),
    ] as [(String, String, String?)])
    func malformed(name: String, request: String, status: String?) async throws {
        let upstream = try UpstreamServer.echo()
        defer { upstream.stop() }
        let harness = try await GatewayHarness.start(.allowlist(domains: patterns("pypi.org", "echo.test:\(upstream.port)")),
                                                     names: ["echo.test": ["127.0.0.1"]], handshakeTimeout: .milliseconds(500))
        let (answer, stillEchoes) = try await onThread { () -> (String, Bool) in
            let good = try harness.proxyConnection()
            try good.send("CONNECT echo.test:\(upstream.port) HTTP/1.1\r\n\r\n")
            _ = try good.receiveHead()
            try good.send("before")
            guard try good.receive(exactly: 6) == Array("before".utf8) else { return ("", false) }
            let bad = try harness.proxyConnection()
            try? bad.send(request)
            let answer = String(decoding: (try? bad.receiveAll()) ?? [], as: UTF8.self)
            try good.send("after")
            return (answer, try good.receive(exactly: 5) == Array("after".utf8))
        }
        if let status {
            #expect(answer.hasPrefix(status), "\(name): \(answer.prefix(60))")
            #expect(answer.contains("x-paddock-deny-reason: malformed"), "\(name)")
        } else {
            #expect(!answer.hasPrefix("HTTP/1.1 200"), "\(name)")
        }
        #expect(stillEchoes, "\(name): the good connection broke")
        #expect(await harness.events.waitFor { $0.reason == .malformed } != nil, "\(name) was not recorded")
        await harness.stop()
    }

    @Test("a garbage ClientHello after CONNECT to 443 closes the tunnel and is recorded")
    func garbageClientHello() async throws {
        let harness = try await GatewayHarness.start(.allowlist(domains: patterns("pypi.org")), names: ["pypi.org": ["127.0.0.1"]])
        let ending = try await onThread {
            let socket = try harness.proxyConnection()
            try socket.send("CONNECT pypi.org:443 HTTP/1.1\r\n\r\n")
            _ = try socket.receiveHead()
            try socket.send("GET / HTTP/1.1\r\nHost: pypi.org\r\n\r\n")
            return socket.ending()
        }
        #expect(ending == "eof" || ending == "reset")
        let event = try #require(await harness.events.waitFor { $0.reason == .malformed })
        #expect(event.host == "pypi.org")
        await harness.stop()
    }

    @Test("a client that stalls mid-request or mid-handshake is closed and recorded", arguments: [
        ("CONNECT pypi.org:4", false), ("CONNECT pypi.org:443 HTTP/1.1\r\n\r\n", true),
    ])
    func stalledClient(prefix: String, sendsPartialHello: Bool) async throws {
        let harness = try await GatewayHarness.start(.allowlist(domains: patterns("pypi.org")), names: ["pypi.org": ["127.0.0.1"]],
                                                     handshakeTimeout: .milliseconds(300))
        let ending = try await onThread {
            let socket = try harness.proxyConnection()
            try socket.send(prefix)
            if sendsPartialHello {
                _ = try socket.receiveHead()
                try socket.send(Array(clientHello(serverName: "pypi.org").prefix(20)))
            }
            return socket.ending()
        }
        #expect(ending == "eof" || ending == "reset")
        #expect(await harness.events.waitFor { $0.reason == .malformed } != nil)
        await harness.stop()
    }
}
