import Glibc
import PaddockCore

/// One attached session: its policy, its three listeners on its gateway address, and its open
/// connections. Loop thread only (see ``EventLoop``).
final class GatewaySession: @unchecked Sendable {
    let id: String
    let gateway: IPv4Address
    let policy: EgressPolicy
    let context: GatewayContext
    private(set) var listeners: [TCPListener] = []
    private(set) var dns: DNSResponder?
    private var connections: [ObjectIdentifier: ClientConnection] = [:]
    private(set) var isClosed = false

    /// The sockets of a session, bound before it is registered with the loop.
    struct BoundSockets: Sendable {
        var proxy: Int32
        var transparent: Int32
        var dns: Int32
    }

    /// The ports actually bound (differs from the configured ones when those are 0).
    struct Ports: Sendable, Equatable {
        var proxy: Int
        var transparent: Int
        var dns: Int
    }

    init(id: String, gateway: IPv4Address, policy: EgressPolicy, context: GatewayContext) {
        self.id = id
        self.gateway = gateway
        self.policy = policy
        self.context = context
    }

    /// Registers the bound sockets with the loop; false (everything closed) when epoll refuses.
    func open(_ sockets: BoundSockets) -> Bool {
        let proxy = TCPListener(fd: sockets.proxy, kind: .proxy, session: self)
        let transparent = TCPListener(fd: sockets.transparent, kind: .transparent, session: self)
        let responder = DNSResponder(fd: sockets.dns, session: self)
        listeners = [proxy, transparent]
        dns = responder
        guard proxy.register(), transparent.register(), responder.register() else {
            close()
            return false
        }
        return true
    }

    /// The ports bound.
    var ports: Ports {
        Ports(proxy: listeners.first.flatMap { localPort($0.fd) } ?? 0,
              transparent: listeners.last.flatMap { localPort($0.fd) } ?? 0,
              dns: dns.flatMap { localPort($0.fd) } ?? 0)
    }

    private func localPort(_ fd: Int32) -> Int? { Sockets.localEndpoint(fd)?.1 }

    /// Takes a new client connection from a listener.
    func accept(client: Int32, kind: TCPListener.Kind) {
        guard !isClosed, connections.count < context.maxConnectionsPerSession, context.budget.take() else {
            Glibc.close(client)
            return
        }
        let connection = ClientConnection(client: client, kind: kind, session: self)
        connections[ObjectIdentifier(connection)] = connection
        connection.start()
    }

    /// Forgets a connection that has closed.
    func remove(_ connection: ClientConnection) {
        if connections.removeValue(forKey: ObjectIdentifier(connection)) != nil { context.budget.give() }
    }

    /// Closes the listeners and every connection (each recorded as it stands).
    func close() {
        guard !isClosed else { return }
        isClosed = true
        for listener in listeners { listener.close() }
        dns?.close()
        for connection in Array(connections.values) { connection.abort() }
        for _ in connections.values { context.budget.give() }
        connections.removeAll()
    }
}
