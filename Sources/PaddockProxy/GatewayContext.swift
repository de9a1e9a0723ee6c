import Glibc
import PaddockCore

/// What every session served by one ``EgressGateway`` shares: its loop, lookup threads,
/// resolver, recorder and limits.
struct GatewayContext: Sendable {
    let loop: EventLoop
    let pool: ResolverPool
    let resolver: any HostResolver
    let recorder: any EgressRecorder
    let presets: NetworkPresets
    let addresses: AddressPolicy
    /// The ports listened on at each gateway address (0 picks a free one, for tests).
    let proxyPort: Int
    let transparentPort: Int
    let dnsPort: Int
    /// Resolving plus connecting upstream, in nanoseconds.
    let connectTimeout: UInt64
    /// A relayed connection with no byte either way for this long is closed, in nanoseconds.
    let idleTimeout: UInt64
    /// Reading a request head or ClientHello, in nanoseconds.
    let handshakeTimeout: UInt64
    /// The ports assumed on the transparent listener when a connection carries no original
    /// destination (it was not redirected by nftables): 443 for TLS, 80 for HTTP.
    var fallbackTLSPort = 443
    var fallbackHTTPPort = 80
    /// CONNECT ports whose ClientHello is read and its SNI checked before connecting upstream.
    var helloCheckedPorts: Set<Int> = [443]
    /// CONNECT ports whose first HTTP request is read and its `Host` checked before connecting
    /// upstream (a front end shared by many sites routes plain HTTP by `Host`).
    var headCheckedPorts: Set<Int> = [80]
    /// The size asked for each relay pipe (the kernel may round it).
    var pipeSize = 256 * 1024
    /// The most open connections one session may have; more are closed at once.
    var maxConnectionsPerSession = 256
    /// The host's own addresses as they are now (not checked unless the gateway was given a
    /// way to read them).
    var hostAddresses = HostAddressWatch(read: nil)
    /// The connections open across every session, bounded by the open-files limit.
    var budget = ConnectionBudget(limit: ConnectionBudget.fitting(openFiles: ConnectionBudget.openFilesLimit()))
    /// The most DNS lookups one session may have running.
    var maxDNSLookupsPerSession = 128
    /// How long a refused connection is read and discarded after its answer, in nanoseconds.
    var lingerTime: UInt64 = 2_000_000_000

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}

/// The connections open across every session of one gateway, against a limit that fits the
/// process's open-files limit (a relayed connection holds six descriptors: two sockets, two
/// pipes), so that connections from a few sessions can never take the descriptors the server
/// needs for the API, runc and the other sessions. Loop thread only.
final class ConnectionBudget: @unchecked Sendable {
    /// The most connections open at once.
    let limit: Int
    /// How many are open.
    private(set) var open = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a new connection; false when the budget is spent (the connection must be refused).
    func take() -> Bool {
        guard open < limit else { return false }
        open += 1
        return true
    }

    /// Gives back the place of a connection that closed.
    func give() {
        open -= 1
    }

    /// The connections `openFiles` descriptors allow: six each, with a quarter of them (at
    /// least 512) kept for everything else the server opens.
    static func fitting(openFiles: Int) -> Int {
        max(16, (openFiles - max(512, openFiles / 4)) / 6)
    }

    /// This process's soft `RLIMIT_NOFILE`.
    static func openFilesLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: limit.rlim_cur)
    }
}

/// The host's own IPv4 addresses, read again (by `read`, e.g. `getifaddrs`) when more than a
/// second old: an address the host gains after the server started (a new interface, a VPN, a
/// renumbering) is the host's too, and no session may reach the host through the proxy.
/// Loopback always counts. Loop thread only.
final class HostAddressWatch: @unchecked Sendable {
    /// Reads the addresses; nil turns the check off (the benchmark and tests whose upstreams
    /// listen on the host).
    private let read: (@Sendable () -> [IPv4Address])?
    private var addresses: Set<IPv4Address> = []
    private var readAt: UInt64 = 0

    init(read: (@Sendable () -> [IPv4Address])?) {
        self.read = read
    }

    /// Whether `address` is one of the host's own.
    func contains(_ address: IPv4Address) -> Bool {
        guard let read else { return false }
        let now = EventLoop.now()
        if readAt == 0 || now - readAt > 1_000_000_000 {
            addresses = Set(read())
            readAt = now
        }
        return addresses.contains(address) || address.value >> 24 == 127
    }
}
