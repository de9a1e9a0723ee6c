import Glibc
import PaddockCore

/// The egress gateway of every session (network.md, "How it is enforced"): per attached
/// session, an explicit HTTP proxy, a transparent listener and a DNS responder bound to the
/// session's gateway address only, all served by one epoll event-loop thread, with name
/// lookups on a few threads of their own. Every attempt is recorded through the recorder.
///
/// It has the methods of `EgressGatewayControl` (PaddockRuntime), which the server conforms it
/// to. Creating a gateway ignores `SIGPIPE` for the process (relayed sockets may break at any time).
public final class EgressGateway: Sendable {
    private let context: GatewayContext
    private let registry = SessionRegistry()

    /// Creates the gateway and starts its threads; nothing listens until ``attach(sessionID:gateway:policy:)``.
    /// - Parameters:
    ///   - presets: the known-safe and package-manager lists `limited` policies build on.
    ///   - addresses: the always-denied addresses, with the pool, the host and `--allow-cidr`.
    ///   - recorder: receives one event per connection or DNS query.
    ///   - resolver: how names become addresses (the host's resolver by default).
    ///   - proxyPort, transparentPort, dnsPort: the ports at each gateway address (0: any free one).
    ///   - connectTimeout: the limit on resolving plus connecting upstream.
    ///   - idleTimeout: a relayed connection silent both ways for this long is closed.
    ///   - handshakeTimeout: the limit on receiving a request head or a TLS ClientHello.
    ///   - hostAddresses: reads the host's own addresses, refused as they are at each connection
    ///     (at most a second old); nil only for a benchmark whose upstream listens on loopback.
    public convenience init(presets: NetworkPresets, addresses: AddressPolicy, recorder: any EgressRecorder,
                            resolver: any HostResolver = SystemResolver(), proxyPort: Int = 3128, transparentPort: Int = 3129,
                            dnsPort: Int = 53, connectTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(300),
                            handshakeTimeout: Duration = .seconds(10),
                            hostAddresses: (@Sendable () -> [IPv4Address])?) throws(PaddockError) {
        try self.init(presets: presets, addresses: addresses, recorder: recorder, resolver: resolver, proxyPort: proxyPort,
                      transparentPort: transparentPort, dnsPort: dnsPort, connectTimeout: connectTimeout,
                      idleTimeout: idleTimeout, handshakeTimeout: handshakeTimeout,
                      tune: { $0.hostAddresses = HostAddressWatch(read: hostAddresses) })
    }

    /// The designated initialiser; `tune` adjusts internal limits (tests use it for the
    /// transparent listener's fallback ports).
    init(presets: NetworkPresets, addresses: AddressPolicy, recorder: any EgressRecorder, resolver: any HostResolver,
         proxyPort: Int, transparentPort: Int, dnsPort: Int, connectTimeout: Duration, idleTimeout: Duration,
         handshakeTimeout: Duration, tune: (inout GatewayContext) -> Void) throws(PaddockError) {
        for (name, port) in [("proxyPort", proxyPort), ("transparentPort", transparentPort), ("dnsPort", dnsPort)]
        where !(0...65535).contains(port) {
            throw PaddockError.invalid(name, "\(port) is not a port; use 0 to 65535")
        }
        for (name, duration) in [("connectTimeout", connectTimeout), ("idleTimeout", idleTimeout), ("handshakeTimeout", handshakeTimeout)]
        where duration <= .zero {
            throw PaddockError.invalid(name, "must be longer than zero")
        }
        signal(SIGPIPE, SIG_IGN)
        let loop = try EventLoop()
        var context = GatewayContext(
            loop: loop, pool: ResolverPool(threads: 4), resolver: resolver, recorder: recorder, presets: presets,
            addresses: addresses, proxyPort: proxyPort, transparentPort: transparentPort, dnsPort: dnsPort,
            connectTimeout: GatewayContext.nanoseconds(connectTimeout), idleTimeout: GatewayContext.nanoseconds(idleTimeout),
            handshakeTimeout: GatewayContext.nanoseconds(handshakeTimeout))
        tune(&context)
        self.context = context
        loop.start(name: "paddock-egress")
    }

    /// Starts serving `sessionID` on `gateway` (the host end of its veth pair): the explicit
    /// proxy, the transparent listener and the DNS responder, bound to `gateway` only and
    /// deciding by `policy`. Attaching an attached session replaces it. Throws when a listener
    /// cannot be made, so the session fails closed.
    public func attach(sessionID: String, gateway: IPv4Address, policy: NetworkingPolicy) async throws(PaddockError) {
        let egressPolicy = EgressPolicy(policy, presets: context.presets, addresses: context.addresses)
        await detach(sessionID: sessionID)
        let proxy = try Sockets.bound(SOCK_STREAM, address: gateway, port: context.proxyPort, what: "proxy")
        let transparent: Int32
        let dns: Int32
        do {
            transparent = try Sockets.bound(SOCK_STREAM, address: gateway, port: context.transparentPort, what: "transparent listener")
        } catch {
            close(proxy)
            throw error
        }
        do {
            dns = try Sockets.bound(SOCK_DGRAM, address: gateway, port: context.dnsPort, what: "DNS responder")
        } catch {
            close(proxy)
            close(transparent)
            throw error
        }
        let sockets = GatewaySession.BoundSockets(proxy: proxy, transparent: transparent, dns: dns)
        let registry = self.registry
        let context = self.context
        let opened = await context.loop.submit { () -> Bool in
            let session = GatewaySession(id: sessionID, gateway: gateway, policy: egressPolicy, context: context)
            guard !registry.stopped else {
                for fd in [sockets.proxy, sockets.transparent, sockets.dns] { close(fd) }
                return false
            }
            registry.sessions[sessionID]?.close()
            guard session.open(sockets) else { return false }
            registry.sessions[sessionID] = session
            return true
        }
        guard opened else {
            throw PaddockError(.internal, "egress gateway for session \(sessionID) on \(gateway) could not start its listeners")
        }
    }

    /// Stops serving `sessionID`: closes its listeners and connections (each recorded as it
    /// stands). Idempotent.
    public func detach(sessionID: String) async {
        let registry = self.registry
        await context.loop.submit {
            registry.sessions.removeValue(forKey: sessionID)?.close()
        }
    }

    /// Detaches every session and stops the gateway's threads; attaching afterwards fails.
    public func shutdown() async {
        let registry = self.registry
        let alreadyStopped = await context.loop.submit { () -> Bool in
            if registry.stopped { return true }
            registry.stopped = true
            for session in registry.sessions.values { session.close() }
            registry.sessions.removeAll()
            return false
        }
        guard !alreadyStopped else { return }
        context.pool.stop()
        await context.loop.stop()
    }

    /// The ports a session's listeners are bound to (for tests that bind port 0).
    func ports(of sessionID: String) async -> GatewaySession.Ports? {
        let registry = self.registry
        return await context.loop.submit { registry.sessions[sessionID]?.ports }
    }
}

/// The attached sessions by id. Loop thread only.
final class SessionRegistry: @unchecked Sendable {
    var sessions: [String: GatewaySession] = [:]
    var stopped = false
}
