import Foundation
import PaddockCore
import Testing
@testable import PaddockProxy

/// The transparent listener. These tests connect to it directly, so `SO_ORIGINAL_DST` finds no
/// redirect and the listener falls back to its "no original destination" ports (443 for TLS,
/// 80 for HTTP, moved here to the test upstream's port); the target still comes from the SNI or
/// the `Host` field, exactly as for a redirected connection.
@Suite("Egress transparent listener")
struct TransparentListenerTests {
    static func harness(_ policy: NetworkingPolicy, upstream: UpstreamServer) async throws -> GatewayHarness {
        try await GatewayHarness.start(policy, names: ["tls.test": ["127.0.0.1"], "web.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]],
                                       tune: {
                                           $0.fallbackTLSPort = upstream.port
                                           $0.fallbackHTTPPort = upstream.port
                                       })
    }

    @Test("TLS with an allowed SNI is relayed to the name's address, ClientHello first")
    func allowedTLS() async throws {
        let upstream = try UpstreamServer.echo()
        defer { upstream.stop() }
        let harness = try await Self.harness(.allowlist(domains: patterns("tls.test:\(upstream.port)")), upstream: upstream)
        let hello = clientHello(serverName: "tls.test", splitRecords: true)
        let echoed = try await onThread {
            let socket = try harness.transparentConnection()
            try socket.send(Array(hello.prefix(7)))
            try socket.send(Array(hello.dropFirst(7)) + Array("application data".utf8))
            socket.shutdownWrite()
            return try socket.receiveAll()
        }
        #expect(echoed == hello + Array("application data".utf8))
        let event = try #require(await harness.events.waitFor { $0.protocolName == .transparentTLS })
        #expect(event.allowed)
        #expect(event.host == "tls.test")
        #expect(event.address == "127.0.0.1")
        await harness.stop()
    }

    @Test("TLS with a refused SNI, or without one, is reset", arguments: ["other.test", nil] as [String?])
    func refusedTLS(serverName: String?) async throws {
        let upstream = try UpstreamServer.echo()
        defer { upstream.stop() }
        let harness = try await Self.harness(.allowlist(domains: patterns("tls.test:\(upstream.port)")), upstream: upstream)
        let ending = try await onThread {
            let socket = try harness.transparentConnection()
            try socket.send(clientHello(serverName: serverName))
            return socket.ending()
        }
        #expect(ending == "reset")
        let event = try #require(await harness.events.waitFor { $0.protocolName == .transparentTLS })
        #expect(!event.allowed)
        #expect(event.reason == .hostNotAllowed)
        #expect(harness.resolver.questions.isEmpty)
        await harness.stop()
    }

    @Test("HTTP with an allowed Host is relayed with the head rewritten")
    func allowedHTTP() async throws {
        let upstream = try UpstreamServer.http()
        defer { upstream.stop() }
        let harness = try await Self.harness(.allowlist(domains: patterns("web.test:\(upstream.port)")), upstream: upstream)
        let response = try await onThread {
            let socket = try harness.transparentConnection()
            try socket.send("GET /simple/six/ HTTP/1.1\r\nHost: web.test\r\nConnection: keep-alive\r\n\r\n")
            return String(decoding: try socket.receiveAll(), as: UTF8.self)
        }
        #expect(response.hasPrefix("HTTP/1.1 200 OK"))
        #expect(response.hasSuffix("upstream saw: GET /simple/six/ HTTP/1.1\n"))
        let head = try #require(upstream.requestHeads.first)
        #expect(head.contains("Host: web.test\r\n"))
        #expect(head.contains("Connection: close\r\n"))
        #expect(!head.contains("keep-alive"))
        let event = try #require(await harness.events.waitFor { $0.protocolName == .transparentHTTP })
        #expect(event.allowed)
        #expect(event.host == "web.test")
        await harness.stop()
    }

    @Test("HTTP with a refused Host gets 403 with the reason")
    func refusedHTTP() async throws {
        let upstream = try UpstreamServer.http()
        defer { upstream.stop() }
        let harness = try await Self.harness(.allowlist(domains: patterns("web.test:\(upstream.port)")), upstream: upstream)
        let response = try await onThread {
            let socket = try harness.transparentConnection()
            try socket.send("GET / HTTP/1.1\r\nHost: other.test\r\n\r\n")
            return String(decoding: try socket.receiveAll(), as: UTF8.self)
        }
        #expect(response.hasPrefix("HTTP/1.1 403"))
        #expect(response.contains("x-paddock-deny-reason: host_not_allowed"))
        #expect(response.contains("other.test"))
        #expect(upstream.requestHeads.isEmpty)
        await harness.stop()
    }

    @Test("HTTP without a Host field is malformed")
    func missingHost() async throws {
        let upstream = try UpstreamServer.http()
        defer { upstream.stop() }
        let harness = try await Self.harness(.unrestricted, upstream: upstream)
        let response = try await onThread {
            let socket = try harness.transparentConnection()
            try socket.send("GET / HTTP/1.0\r\n\r\n")
            return String(decoding: try socket.receiveAll(), as: UTF8.self)
        }
        #expect(response.hasPrefix("HTTP/1.1 400"))
        #expect(await harness.events.waitFor { $0.reason == .malformed } != nil)
        await harness.stop()
    }
}
