import Foundation
import PaddockCore
import Testing
@testable import PaddockProxy

/// The explicit proxy relaying allowed traffic, over real sockets on loopback.
@Suite("Egress explicit proxy")
struct ExplicitProxyTests {
    @Test("CONNECT to an allowed host relays bytes exactly, both ways, and records them")
    func connectRelay() async throws {
        let upstream = try UpstreamServer.echo()
        defer { upstream.stop() }
        let harness = try await GatewayHarness.start(.allowlist(domains: patterns("echo.test:\(upstream.port)")),
                                                     names: ["echo.test": ["127.0.0.1"]])
        let size = 4 << 20
        var rng = SplitMix64(seed: 7)
        let payload = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let echoed = try await onThread {
            let socket = try harness.proxyConnection()
            try socket.send("CONNECT echo.test:\(upstream.port) HTTP/1.1\r\nHost: echo.test:\(upstream.port)\r\n\r\n")
            let head = try socket.receiveHead()
            guard head.hasPrefix("HTTP/1.1 200") else { return Array(head.utf8) }
            let writer = Thread {
                try? socket.send(payload)
                socket.shutdownWrite()
            }
            writer.start()
            return try socket.receiveAll()
        }
        #expect(echoed.count == size)
        #expect(echoed == payload)
        let event = try #require(await harness.events.waitFor { $0.protocolName == .connect })
        #expect(event.allowed)
        #expect(event.reason == nil)
        #expect(event.host == "echo.test")
        #expect(event.port == upstream.port)
        #expect(event.address == "127.0.0.1")
        #expect(event.bytesUp == Int64(size))
        #expect(event.bytesDown == Int64(size))
        #expect(event.sessionID == GatewayHarness.sessionID)
        await harness.stop()
    }

    @Test("an absolute-URI request is sent upstream in origin form, without hop-by-hop fields")
    func absoluteURI() async throws {
        let upstream = try UpstreamServer.http()
        defer { upstream.stop() }
        let harness = try await GatewayHarness.start(.allowlist(domains: patterns("web.test:\(upstream.port)")),
                                                     names: ["web.test": ["127.0.0.1"]])
        let response = try await onThread {
            let socket = try harness.proxyConnection()
            try socket.send("GET http://WEB.test:\(upstream.port)/simple/six/?x=1 HTTP/1.1\r\nHost: web.test:\(upstream.port)\r\n"
                + "Proxy-Connection: keep-alive\r\nUser-Agent: test\r\n\r\n")
            return String(decoding: try socket.receiveAll(), as: UTF8.self)
        }
        #expect(response.hasPrefix("HTTP/1.1 200 OK"))
        #expect(response.hasSuffix("upstream saw: GET /simple/six/?x=1 HTTP/1.1\n"))
        let head = try #require(upstream.requestHeads.first)
        #expect(head.contains("Host: WEB.test:\(upstream.port)\r\n"))
        #expect(head.contains("User-Agent: test\r\n"))
        #expect(head.contains("Connection: close\r\n"))
        #expect(!head.lowercased().contains("proxy-connection"))
        let event = try #require(await harness.events.waitFor { $0.protocolName == .http })
        #expect(event.allowed)
        #expect(event.host == "web.test")
        #expect(event.bytesDown == Int64(response.utf8.count))
        await harness.stop()
    }

    @Test("CONNECT to a TLS port checks the ClientHello, then forwards it unchanged")
    func connectWithMatchingSNI() async throws {
        let upstream = try UpstreamServer.echo()
        defer { upstream.stop() }
        let harness = try await GatewayHarness.start(.allowlist(domains: patterns("tls.test:\(upstream.port)")),
                                                     names: ["tls.test": ["127.0.0.1"]],
                                                     tune: { $0.helloCheckedPorts = [upstream.port] })
        let hello = clientHello(serverName: "TLS.test")
        let echoed = try await onThread {
            let socket = try harness.proxyConnection()
            try socket.send("CONNECT tls.test:\(upstream.port) HTTP/1.1\r\n\r\n")
            _ = try socket.receiveHead()
            try socket.send(hello)
            try socket.send("after the hello")
            socket.shutdownWrite()
            return try socket.receiveAll()
        }
        #expect(echoed == hello + Array("after the hello".utf8))
        let event = try #require(await harness.events.waitFor { $0.protocolName == .connect })
        #expect(event.allowed)
        await harness.stop()
    }

    @Test("CONNECT to an HTTP port: the first request must name the CONNECT host and goes upstream with Connection: close")
    func connectToHTTPPort() async throws {
        let upstream = try UpstreamServer.http()
        defer { upstream.stop() }
        let harness = try await GatewayHarness.start(.allowlist(domains: patterns("web.test:\(upstream.port)")),
                                                     names: ["web.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]],
                                                     tune: { $0.headCheckedPorts = [upstream.port] })
        let port = upstream.port
        let allowed = try await onThread {
            let socket = try harness.proxyConnection()
            try socket.send("CONNECT web.test:\(port) HTTP/1.1\r\n\r\n")
            let established = try socket.receiveHead()
            try socket.send("GET /simple/ HTTP/1.1\r\nHost: web.test:\(port)\r\n\r\n")
            return established + String(decoding: try socket.receiveAll(), as: UTF8.self)
        }
        #expect(allowed.hasPrefix("HTTP/1.1 200 Connection established"), "\(allowed)")
        #expect(allowed.hasSuffix("upstream saw: GET /simple/ HTTP/1.1\n"), "\(allowed)")
        #expect(upstream.requestHeads.first?.contains("Connection: close\r\n") == true)
        // Another Host inside the tunnel (fronting) is answered 403 there and never sent upstream.
        let fronted = try await onThread {
            let socket = try harness.proxyConnection()
            try socket.send("CONNECT web.test:\(port) HTTP/1.1\r\n\r\n")
            _ = try socket.receiveHead()
            try socket.send("GET / HTTP/1.1\r\nHost: other.test:\(port)\r\n\r\n")
            return String(decoding: try socket.receiveAll(), as: UTF8.self)
        }
        #expect(fronted.hasPrefix("HTTP/1.1 403"), "\(fronted)")
        #expect(fronted.contains("x-paddock-deny-reason: host_not_allowed"))
        #expect(upstream.requestHeads.count == 1)
        let event = try #require(await harness.events.waitFor { $0.host == "other.test" })
        #expect(!event.allowed && event.reason == .hostNotAllowed && event.protocolName == .connect)
        await harness.stop()
    }

    @Test("an allowed host whose upstream refuses gets 502")
    func upstreamRefuses() async throws {
        let closed = try UpstreamServer.echo()
        let port = closed.port
        closed.stop()
        let harness = try await GatewayHarness.start(.allowlist(domains: patterns("gone.test:\(port)")), names: ["gone.test": ["127.0.0.1"]])
        let response = try await onThread {
            let socket = try harness.proxyConnection()
            try socket.send("GET http://gone.test:\(port)/ HTTP/1.1\r\n\r\n")
            return String(decoding: try socket.receiveAll(), as: UTF8.self)
        }
        #expect(response.hasPrefix("HTTP/1.1 502 Bad Gateway"))
        #expect(!response.contains("x-paddock-deny-reason"))
        await harness.stop()
    }

    @Test("a name that does not resolve gets 502 and is recorded")
    func unknownName() async throws {
        let harness = try await GatewayHarness.start(.unrestricted)
        let response = try await onThread {
            let socket = try harness.proxyConnection()
            try socket.send("CONNECT nowhere.test:443 HTTP/1.1\r\n\r\n")
            return String(decoding: try socket.receiveAll(), as: UTF8.self)
        }
        #expect(response.hasPrefix("HTTP/1.1 502"))
        #expect(response.contains("nowhere.test does not resolve"))
        #expect(await harness.events.waitFor { $0.host == "nowhere.test" } != nil)
        await harness.stop()
    }
}
