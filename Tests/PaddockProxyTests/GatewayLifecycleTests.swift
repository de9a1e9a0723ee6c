import Foundation
import Glibc
import PaddockCore
import Testing
@testable import PaddockProxy

/// Attaching, detaching, timeouts, many connections, and memory that does not grow with bytes.
@Suite("Egress gateway lifecycle")
struct GatewayLifecycleTests {
    @Test("detach closes the listeners and open connections, recording them")
    func detach() async throws {
        let upstream = try UpstreamServer.echo()
        defer { upstream.stop() }
        let harness = try await GatewayHarness.start(.allowlist(domains: patterns("echo.test:\(upstream.port)")),
                                                     names: ["echo.test": ["127.0.0.1"]])
        let open = try await onThread { () -> TestSocket in
            let socket = try harness.proxyConnection()
            try socket.send("CONNECT echo.test:\(upstream.port) HTTP/1.1\r\n\r\n")
            _ = try socket.receiveHead()
            try socket.send("ping")
            _ = try socket.receive(exactly: 4)
            return socket
        }
        await harness.gateway.detach(sessionID: GatewayHarness.sessionID)
        await harness.gateway.detach(sessionID: GatewayHarness.sessionID)
        #expect(await harness.gateway.ports(of: GatewayHarness.sessionID) == nil)
        let ending = try await onThread { open.ending() }
        #expect(ending == "eof" || ending == "reset")
        let event = try #require(await harness.events.waitFor { $0.protocolName == .connect })
        #expect(event.bytesUp == 4)
        for port in [harness.ports.proxy, harness.ports.transparent] {
            #expect(throws: SocketFailure.self) { try TestSocket.connect(harness.address, port) }
        }
        await harness.stop()
    }

    @Test("connections beyond the gateway's descriptor budget are closed at once; a closed one frees its place")
    func connectionBudget() async throws {
        let upstream = try UpstreamServer.echo()
        defer { upstream.stop() }
        let harness = try await GatewayHarness.start(.allowlist(domains: patterns("echo.test:\(upstream.port)")),
                                                     names: ["echo.test": ["127.0.0.1"]],
                                                     tune: { $0.budget = ConnectionBudget(limit: 2) })
        @Sendable func tunnel() throws -> TestSocket {
            let socket = try harness.proxyConnection()
            try socket.send("CONNECT echo.test:\(upstream.port) HTTP/1.1\r\n\r\n")
            _ = try socket.receiveHead()
            try socket.send("ping")
            _ = try socket.receive(exactly: 4)
            return socket
        }
        let (first, second, refused) = try await onThread { () -> (TestSocket, TestSocket, String) in
            let first = try tunnel(), second = try tunnel()
            let third = try harness.proxyConnection()
            return (first, second, third.ending())
        }
        #expect(refused == "eof" || refused == "reset")
        first.shutdownWrite()
        _ = try await onThread { first.ending() }
        _ = try #require(await harness.events.waitFor { $0.protocolName == .connect })
        let again = try await onThread { try tunnel() }
        #expect(try await onThread { try second.send("more"); return try second.receive(exactly: 4) } == Array("more".utf8))
        _ = again
        await harness.stop()
    }

    @Test("the budget fits the open-files limit: six descriptors a connection, a quarter (at least 512) kept")
    func budgetSize() {
        #expect(ConnectionBudget.fitting(openFiles: 20_000) == 2_500)
        #expect(ConnectionBudget.fitting(openFiles: 1_024) == 85)
        #expect(ConnectionBudget.fitting(openFiles: 100) == 16)
    }

    @Test("attaching again replaces the session; attaching to an address not on this host fails")
    func reattach() async throws {
        let harness = try await GatewayHarness.start(.allowlist(domains: []))
        try await harness.gateway.attach(sessionID: GatewayHarness.sessionID, gateway: harness.address, policy: .unrestricted)
        #expect(await harness.gateway.ports(of: GatewayHarness.sessionID) != nil)
        await #expect(throws: PaddockError.self) {
            try await harness.gateway.attach(sessionID: "sess_other", gateway: IPv4Address("192.0.2.1")!, policy: .unrestricted)
        }
        await harness.stop()
        await #expect(throws: PaddockError.self) {
            try await harness.gateway.attach(sessionID: "sess_late", gateway: TestAddresses.next(), policy: .unrestricted)
        }
    }

    @Test("a relayed connection idle for longer than the idle timeout is closed")
    func idleTimeout() async throws {
        let upstream = try UpstreamServer.echo()
        defer { upstream.stop() }
        let harness = try await GatewayHarness.start(.allowlist(domains: patterns("echo.test:\(upstream.port)")),
                                                     names: ["echo.test": ["127.0.0.1"]], idleTimeout: .milliseconds(300))
        let ending = try await onThread {
            let socket = try harness.proxyConnection()
            try socket.send("CONNECT echo.test:\(upstream.port) HTTP/1.1\r\n\r\n")
            _ = try socket.receiveHead()
            try socket.send("hi")
            _ = try socket.receive(exactly: 2)
            return socket.ending()
        }
        #expect(ending == "eof")
        let event = try #require(await harness.events.waitFor { $0.protocolName == .connect })
        #expect(event.allowed)
        #expect(event.bytesDown == 2)
        await harness.stop()
    }

    @Test("many concurrent tunnels all relay their own bytes")
    func concurrentTunnels() async throws {
        let upstream = try UpstreamServer.echo()
        defer { upstream.stop() }
        let harness = try await GatewayHarness.start(.allowlist(domains: patterns("echo.test:\(upstream.port)")),
                                                     names: ["echo.test": ["127.0.0.1"]])
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<100 {
                group.addTask {
                    try await onThread {
                        let socket = try harness.proxyConnection()
                        try socket.send("CONNECT echo.test:\(upstream.port) HTTP/1.1\r\n\r\n")
                        _ = try socket.receiveHead()
                        let message = Array("tunnel \(index) ".utf8) + [UInt8](repeating: UInt8(index), count: 10_000)
                        try socket.send(message)
                        socket.shutdownWrite()
                        return try socket.receiveAll() == message
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 100)
        #expect(results.allSatisfy { $0 })
        await harness.stop()
    }

    /// The resident set of this process, in bytes.
    /// The resident memory of process `pid`.
    static func residentBytes(of pid: pid_t) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        let kilobytes = try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
        return kilobytes * 1024
    }

    /// The gateway in a process of its own (`paddock-proxy-bench`, built next to the tests), so
    /// that its memory is measured apart from the tests running beside this one.
    @Test("relaying 256 MiB does not grow the gateway's memory", .enabled(if: GatewayProcess.binary != nil))
    func memoryBounded() async throws {
        let total = 256 << 20
        let warmUp = 16 << 20
        let upstream = try UpstreamServer.source(count: total)
        defer { upstream.stop() }
        let gateway = try await GatewayProcess.start(allowing: "127.0.0.1:\(upstream.port)")
        defer { gateway.stop() }
        let (received, before, after) = try await onThread { () -> (Int, Int, Int) in
            let socket = try TestSocket.connect(IPv4Address("127.0.0.1")!, gateway.port)
            try socket.send("CONNECT 127.0.0.1:\(upstream.port) HTTP/1.1\r\n\r\n")
            _ = try socket.receiveHead()
            var buffer = [UInt8](repeating: 0, count: 65_536)
            var received = 0
            var before = 0
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { break }
                received += count
                if before == 0, received >= warmUp { before = try Self.residentBytes(of: gateway.pid) }
            }
            return (received, before, try Self.residentBytes(of: gateway.pid))
        }
        #expect(received == total)
        #expect(before > 0)
        let growth = after - before
        #expect(growth < 4 << 20, "the gateway's RSS grew by \(growth / 1024) KiB while relaying \(total >> 20) MiB")
    }
}
