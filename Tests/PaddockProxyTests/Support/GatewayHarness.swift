import Foundation
import PaddockCore
import Testing
@testable import PaddockProxy

/// A gateway serving one test session on a fresh loopback address, with ports chosen by the
/// kernel, a name table instead of DNS, and an event log.
struct GatewayHarness {
    static let sessionID = "sess_test"
    static let loopbackUpstream = try! IPv4Network.parse("127.0.0.1/32", param: "allow")

    let gateway: EgressGateway
    let address: IPv4Address
    let ports: GatewaySession.Ports
    let events: EventLog
    let resolver: MapResolver

    /// Starts a gateway and attaches the test session with `policy`.
    /// - Parameters:
    ///   - names: the resolver's table (name → addresses).
    ///   - allowLoopback: whether 127.0.0.1 (where the test upstreams listen) is operator-allowed.
    static func start(_ policy: NetworkingPolicy, names: [String: [String]] = [:], allowLoopback: Bool = true,
                      mirrors: Set<AddressPolicy.Endpoint> = [],
                      presets: NetworkPresets = .empty, connectTimeout: Duration = .seconds(10),
                      idleTimeout: Duration = .seconds(300), handshakeTimeout: Duration = .seconds(10),
                      tune: (inout GatewayContext) -> Void = { _ in }) async throws -> GatewayHarness {
        let events = EventLog()
        let resolver = MapResolver(names)
        let gateway = try EgressGateway(
            presets: presets, addresses: AddressPolicy(allowed: allowLoopback ? [loopbackUpstream] : [], mirrors: mirrors), recorder: events,
            resolver: resolver, proxyPort: 0, transparentPort: 0, dnsPort: 0, connectTimeout: connectTimeout,
            idleTimeout: idleTimeout, handshakeTimeout: handshakeTimeout, tune: { context in
                // The test upstreams listen on the host's loopback; tests of the check turn it on.
                context.hostAddresses = HostAddressWatch(read: nil)
                tune(&context)
            })
        let address = TestAddresses.next()
        try await gateway.attach(sessionID: sessionID, gateway: address, policy: policy)
        let ports = try #require(await gateway.ports(of: sessionID))
        return GatewayHarness(gateway: gateway, address: address, ports: ports, events: events, resolver: resolver)
    }

    /// A connection to the explicit proxy.
    func proxyConnection() throws -> TestSocket { try TestSocket.connect(address, ports.proxy) }

    /// A connection to the transparent listener.
    func transparentConnection() throws -> TestSocket { try TestSocket.connect(address, ports.transparent) }

    func stop() async { await gateway.shutdown() }
}

/// Host patterns from text, for policies in tests.
func patterns(_ texts: String...) -> [HostPattern] { texts.map { try! HostPattern($0) } }
