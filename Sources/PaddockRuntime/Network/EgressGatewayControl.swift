import PaddockCore

/// The side of the egress gateway (proxy + DNS responder) that the session network uses:
/// ``HostNetworking`` attaches a session once its host-side address exists, and detaches it
/// before removing the address. Implemented by `EgressGateway` in PaddockProxy.
public protocol EgressGatewayControl: Sendable {
    /// Starts serving `sessionID` on `gateway` (the host end of its veth pair): the explicit
    /// proxy on ``EgressPorts/proxy``, the transparent listener on ``EgressPorts/transparent``
    /// and the DNS responder on UDP ``EgressPorts/dns``, all bound to `gateway` only, deciding by
    /// `policy`. Throws when a listener cannot be made (the session must then fail: fail closed).
    func attach(sessionID: String, gateway: IPv4Address, policy: NetworkingPolicy) async throws(PaddockError)

    /// Stops serving `sessionID` and closes its connections; idempotent.
    func detach(sessionID: String) async
}

/// The ports the gateway listens on at each session's gateway address.
public enum EgressPorts {
    /// The explicit HTTP proxy (`HTTP_PROXY`, `HTTPS_PROXY`).
    public static let proxy = 3128
    /// Where nftables redirects TCP 80/443 of programs that ignore the proxy variables.
    public static let transparent = 3129
    /// The DNS responder (UDP).
    public static let dns = 53
}
