import PaddockCore

/// The HTTP answers the gateway writes itself: refusals with `x-paddock-deny-reason`, upstream
/// failures, and the CONNECT success line.
enum GatewayResponse {
    /// The answer to a CONNECT once the tunnel may begin.
    static let connectEstablished = Array("HTTP/1.1 200 Connection established\r\n\r\n".utf8)

    /// `403 Forbidden` naming the host, the reason and the session's policy.
    static func denied(_ reason: EgressDenyReason, host: String, port: Int, policy: EgressPolicy) -> [UInt8] {
        let shown = host.isEmpty ? "the target" : host
        let why: String
        switch reason {
        case .hostNotAllowed: why = "\(shown) is not allowed by this session's network policy"
        case .portNotAllowed: why = "port \(port) of \(shown) is not allowed (ports 80 and 443 only, unless an entry names a port)"
        case .addressDenied: why = "\(shown) is or resolves to an address no session may reach (loopback, link-local, private, or the host)"
        case .sniMismatch: why = "the TLS server name does not match \(shown)"
        case .malformed: why = "the request for \(shown) could not be understood"
        }
        return message(status: "403 Forbidden", reason: reason, body: "paddock egress: \(why); policy: \(policy.summary)\n")
    }

    /// A refusal of a request the gateway could not read (`400`, or `431` for an oversize head).
    static func malformed(_ detail: String, oversize: Bool = false) -> [UInt8] {
        message(status: oversize ? "431 Request Header Fields Too Large" : "400 Bad Request", reason: .malformed,
                body: "paddock egress: \(detail)\n")
    }

    /// `502 Bad Gateway` or `504 Gateway Timeout` for an allowed target that could not be reached.
    static func upstreamFailure(_ detail: String, timedOut: Bool) -> [UInt8] {
        message(status: timedOut ? "504 Gateway Timeout" : "502 Bad Gateway", reason: nil, body: "paddock egress: \(detail)\n")
    }

    private static func message(status: String, reason: EgressDenyReason?, body: String) -> [UInt8] {
        let bodyBytes = Array(body.utf8)
        var head = "HTTP/1.1 \(status)\r\ncontent-type: text/plain; charset=utf-8\r\n"
        if let reason { head += "x-paddock-deny-reason: \(reason.rawValue)\r\n" }
        head += "content-length: \(bodyBytes.count)\r\nconnection: close\r\n\r\n"
        return Array(head.utf8) + bodyBytes
    }

    /// Text from the client made safe to show and record: printable ASCII, at most 253 bytes.
    static func printable(_ text: some Sequence<UInt8>) -> String {
        String(decoding: text.lazy.filter { $0 > 0x20 && $0 < 0x7F }.prefix(253), as: UTF8.self)
    }
}
