import Foundation
import Glibc
import PaddockCore
import Synchronization
import Testing
@testable import PaddockRuntime

/// A stand-in for the egress gateway: records what ``HostNetworking`` asks of it and can be
/// told to refuse a session.
final class RecordingGateway: EgressGatewayControl {
    struct Attach: Sendable, Equatable {
        let sessionID: String
        let gateway: IPv4Address
        let policy: NetworkingPolicy
    }
    private let state = Mutex((attached: [Attach](), detached: [String]()))
    let refuses: Bool

    init(refuses: Bool = false) { self.refuses = refuses }

    var attached: [Attach] { state.withLock { $0.attached } }
    var detached: [String] { state.withLock { $0.detached } }

    func attach(sessionID: String, gateway: IPv4Address, policy: NetworkingPolicy) async throws(PaddockError) {
        if refuses { throw PaddockError(.internal, "the test gateway refuses \(sessionID)") }
        state.withLock { $0.attached.append(Attach(sessionID: sessionID, gateway: gateway, policy: policy)) }
    }

    func detach(sessionID: String) async {
        state.withLock { $0.detached.append(sessionID) }
    }
}

/// Host networking under names and a pool of its own for each test (table `paddock_t<x>`,
/// veths `p<xyz>…`, namespaces `paddock-t<xyz>-…`, a /24 of `10.213.0.0/16`), so tests running
/// side by side never touch each other's objects, nor a real server's (`pd…`, `paddock-…`).
struct NetworkTestHost: Sendable {
    let names: NetworkNames
    let pool: IPv4Network
    let stateDirectory: String

    /// Numbers the tests of this process; starts anywhere so that two processes likely differ.
    private static let counter = Atomic<Int>(Int.random(in: 0..<256))
    private static let letters = Array("abcefghijklmnopqrstuvwxyz")  // no "d": "pd…" is a server's

    /// A fresh naming, pool and state directory.
    static func make() -> NetworkTestHost {
        let number = counter.add(1, ordering: .relaxed).newValue
        let tag = String((0..<3).map { _ in letters.randomElement()! })
        return NetworkTestHost(
            names: try! NetworkNames(table: "paddock_t\(tag)", interfacePrefix: "p\(tag)", namespacePrefix: "paddock-t\(tag)-"),
            pool: try! IPv4Network.parse("10.213.\(number % 256).0/24", param: "pool"),
            stateDirectory: NSTemporaryDirectory() + "paddock-network-\(ImageFiles.token())")
    }

    /// Whether the real network tests can run: root with `ip` and `nft`.
    static var isAvailable: Bool {
        getuid() == 0 && access(NetworkTools.standard.ip, X_OK) == 0 && access(NetworkTools.standard.nft, X_OK) == 0
    }

    func makeNetworking(gateway: RecordingGateway, tools: NetworkTools = .standard) throws -> HostNetworking {
        try HostNetworking(pool: pool.description, gateway: gateway, stateDirectory: URL(fileURLWithPath: stateDirectory),
                           names: names, tools: tools)
    }

    /// Runs `body` with fresh networking, and removes every object of the test afterwards
    /// (also when `body` throws).
    static func with(gateway: RecordingGateway = RecordingGateway(),
                     _ body: (HostNetworking, RecordingGateway, NetworkTestHost) async throws -> Void) async throws {
        let host = make()
        let networking = try host.makeNetworking(gateway: gateway)
        do {
            try await body(networking, gateway, host)
        } catch {
            await host.removeEverything()
            throw error
        }
        await host.removeEverything()
    }

    /// Removes every namespace, veth and lease of this naming and its table.
    func removeEverything() async {
        if let cleaner = try? makeNetworking(gateway: RecordingGateway()) {
            _ = await cleaner.removeLeftovers(keeping: [])
        }
        _ = try? await NetworkTools.standard.runNFT(["delete", "table", "inet", names.table])
        _ = ImageFiles.removeQuietly(stateDirectory)
    }

    /// The /30 the pool hands out first.
    var firstBlock: String { "\(pool.address)/30" }

    /// `ip args…` output as text.
    static func ip(_ arguments: [String]) async throws -> String {
        let outcome = try await RuncInvocation(executable: NetworkTools.standard.ip, arguments: arguments).run()
        return String(decoding: outcome.stdout, as: UTF8.self)
    }

    /// `nft list chain inet <table> <chain>`, or nil when the chain does not exist.
    func chainText(_ chain: String) async -> String? {
        guard let bytes = try? await NetworkTools.standard.runNFT(["list", "chain", "inet", names.table, chain]) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The test table, read back.
    func firewall() async throws -> FirewallState {
        try FirewallState(json: try await NetworkTools.standard.runNFT(["-j", "list", "table", "inet", names.table]))
    }

    /// The first IPv4 address of the host that the always-denied ranges do not already cover
    /// (so that the denied set must name it on its own): not loopback, private, CGNAT or
    /// link-local — which also leaves out every session gateway of any server or test pool.
    static var hostAddress: IPv4Address? {
        let covered = ["127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"]
            .map { try! IPv4Network.parse($0, param: "range") }
        return HostAddresses.discover().first { address in !covered.contains { $0.contains(address) } }
    }
}

/// What a TCP connection attempt met.
enum ConnectOutcome: Equatable, Sendable {
    /// The handshake completed.
    case connected
    /// A reset came back.
    case refused
    /// Nothing came back within the wait: the packets were dropped.
    case noAnswer
    /// Another error (unreachable…).
    case failed(Int32)
}

/// Sockets for probing reachability, made inside a session's namespace when asked.
enum SocketProbe {
    /// A TCP connection attempt from inside the namespace at `namespacePath` (nil: the host).
    static func connect(from namespacePath: String?, to address: IPv4Address, port: Int,
                        waitMilliseconds: Int32 = 2000) async throws -> ConnectOutcome {
        try await inNamespace(namespacePath) { connectBlocking(to: address, port: port, waitMilliseconds: waitMilliseconds) }
    }

    /// A listening TCP socket on `address:port` made in the namespace (nil: the host).
    static func listen(in namespacePath: String? = nil, on address: IPv4Address, port: Int) async throws -> Int32 {
        try await inNamespace(namespacePath) { () throws(PaddockError) -> Int32 in
            try bound(Int32(SOCK_STREAM.rawValue), address: address, port: port)
        }
    }

    /// The port a bound socket got (for sockets bound to port 0).
    static func localPort(_ fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A UDP socket bound to `address:port` in the namespace (nil: the host).
    static func udp(in namespacePath: String? = nil, on address: IPv4Address, port: Int) async throws -> Int32 {
        try await inNamespace(namespacePath) { () throws(PaddockError) -> Int32 in
            try bound(Int32(SOCK_DGRAM.rawValue), address: address, port: port)
        }
    }

    /// Sends one datagram from inside the namespace.
    static func send(from namespacePath: String, to address: IPv4Address, port: Int, payload: String) async throws {
        let sent = try await inNamespace(namespacePath) { () -> Int in
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            defer { close(fd) }
            var target = socketAddress(address, port)
            let bytes = Array(payload.utf8)
            return withUnsafePointer(to: &target) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                    bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, raw, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
        }
        #expect(sent == payload.utf8.count)
    }

    /// The next datagram on `fd` and its sender, or nil when none comes within the wait.
    static func receive(_ fd: Int32, waitMilliseconds: Int32 = 5000) async -> (payload: String, sender: IPv4Address)? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, waitMilliseconds) == 1 else { return continuation.resume(returning: nil) }
                var buffer = [UInt8](repeating: 0, count: 512)
                var sender = sockaddr_in()
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                let count = withUnsafeMutablePointer(to: &sender) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                        buffer.withUnsafeMutableBytes { recvfrom(fd, $0.baseAddress, $0.count, 0, raw, &length) }
                    }
                }
                guard count >= 0 else { return continuation.resume(returning: nil) }
                continuation.resume(returning: (String(decoding: buffer[0..<count], as: UTF8.self),
                                                IPv4Address(UInt32(bigEndian: sender.sin_addr.s_addr))))
            }
        }
    }

    /// The address of the peer of the next pending connection on the listening `fd`, if any.
    static func acceptedPeer(_ fd: Int32) -> IPv4Address? {
        var peer = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let connection = withUnsafeMutablePointer(to: &peer) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(fd, $0, &length) }
        }
        guard connection >= 0 else { return nil }
        close(connection)
        return IPv4Address(UInt32(bigEndian: peer.sin_addr.s_addr))
    }

    private static func inNamespace<T: Sendable>(_ path: String?,
                                                 _ body: @escaping @Sendable () throws(PaddockError) -> T) async throws -> T {
        if let path { return try await NamespaceThread.run(inNamespaceAt: path, body) }
        return try await BlockingWork.run(body)
    }

    private static func connectBlocking(to address: IPv4Address, port: Int, waitMilliseconds: Int32) -> ConnectOutcome {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return .failed(errno) }
        defer { close(fd) }
        var target = socketAddress(address, port)
        let started = withUnsafePointer(to: &target) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if started != 0 && errno != EINPROGRESS { return outcome(errno) }
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&poller, 1, waitMilliseconds) == 1 else { return .noAnswer }
        var problem: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &problem, &length)
        return outcome(problem)
    }

    private static func outcome(_ code: Int32) -> ConnectOutcome {
        switch code {
        case 0: .connected
        case ECONNREFUSED: .refused
        default: .failed(code)
        }
    }

    private static func bound(_ type: Int32, address: IPv4Address, port: Int) throws(PaddockError) -> Int32 {
        let fd = socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var local = socketAddress(address, port)
        let result = withUnsafePointer(to: &local) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0, type != Int32(SOCK_STREAM.rawValue) || Glibc.listen(fd, 16) == 0 else {
            let code = errno
            close(fd)
            throw PaddockError(.internal, "cannot bind \(address):\(port): \(String(cString: strerror(code)))")
        }
        return fd
    }

    private static func socketAddress(_ address: IPv4Address, _ port: Int) -> sockaddr_in {
        var value = sockaddr_in()
        value.sin_family = sa_family_t(AF_INET)
        value.sin_port = in_port_t(UInt16(port)).bigEndian
        value.sin_addr.s_addr = address.value.bigEndian
        return value
    }
}
