import Foundation

/// Why an outbound attempt was refused (the `x-paddock-deny-reason` header and the audit log).
public enum EgressDenyReason: String, Sendable, CaseIterable {
    /// The host is not in the session's policy.
    case hostNotAllowed = "host_not_allowed"
    /// The host is allowed, but not on this port.
    case portNotAllowed = "port_not_allowed"
    /// The target (or what it resolved to) is in the always-denied set.
    case addressDenied = "address_denied"
    /// The TLS ClientHello names another host than the one the connection was allowed for.
    case sniMismatch = "sni_mismatch"
    /// The request could not be understood (malformed request line, garbage ClientHello, …).
    case malformed = "malformed"
}

/// How an outbound attempt reached Paddock.
public enum EgressProtocol: String, Sendable, CaseIterable {
    /// `CONNECT host:port` to the proxy.
    case connect
    /// An absolute-URI HTTP request to the proxy.
    case http
    /// TLS to port 443 from a program that ignored the proxy variables (target from the SNI).
    case transparentTLS = "transparent-tls"
    /// HTTP to port 80 from a program that ignored the proxy variables (target from `Host`).
    case transparentHTTP = "transparent-http"
    /// A DNS query to the session's resolver.
    case dns
}

/// One outbound attempt of a session, allowed or denied (network.md "Audit log").
public struct EgressEvent: Sendable, Equatable {
    /// When the attempt began.
    public var time: Date
    /// The session it came from.
    public var sessionID: String
    /// How it reached Paddock.
    public var protocolName: EgressProtocol
    /// The canonical host asked for (or the IP literal as given, canonicalised).
    public var host: String
    /// The port asked for (53 for DNS).
    public var port: Int
    /// The address connected to (or that a DNS answer gave), when there is one.
    public var address: String?
    /// Whether it was allowed.
    public var allowed: Bool
    /// Why it was denied (nil when allowed).
    public var reason: EgressDenyReason?
    /// Bytes from the session to the target.
    public var bytesUp: Int64
    /// Bytes from the target to the session.
    public var bytesDown: Int64
    /// How long the connection (or lookup) lasted, in milliseconds.
    public var durationMs: Int

    /// Creates an event.
    public init(time: Date, sessionID: String, protocolName: EgressProtocol, host: String, port: Int, address: String? = nil,
                allowed: Bool, reason: EgressDenyReason? = nil, bytesUp: Int64 = 0, bytesDown: Int64 = 0, durationMs: Int = 0) {
        self.time = time
        self.sessionID = sessionID
        self.protocolName = protocolName
        self.host = host
        self.port = port
        self.address = address
        self.allowed = allowed
        self.reason = reason
        self.bytesUp = bytesUp
        self.bytesDown = bytesDown
        self.durationMs = durationMs
    }
}

/// Receives audit events; called from the proxy's threads, must not block.
public protocol EgressRecorder: Sendable {
    /// Records one event (queued; written later).
    func record(_ event: EgressEvent)
}
