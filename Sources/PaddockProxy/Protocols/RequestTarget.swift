/// Where a proxied request goes, read from a CONNECT authority, an absolute URI or a `Host`
/// field. The host is the text as written; the policy canonicalises it.
struct RequestTarget: Sendable, Equatable {
    /// The host as written (a name, an IP literal in any spelling, or `[v6]`).
    var host: String
    /// The port (given, or the scheme's default).
    var port: Int
    /// The authority to send as `Host` upstream, as written.
    var authority: String
    /// The origin-form target (`/path?query`) for absolute URIs; empty otherwise.
    var originForm: String

    /// `host:port` of a CONNECT request; the port is required.
    static func connectAuthority(_ text: String) -> RequestTarget? {
        guard let (host, port) = splitAuthority(Substring(text), defaultPort: nil) else { return nil }
        return RequestTarget(host: host, port: port, authority: text, originForm: "")
    }

    /// An absolute `http://` URI (scheme case-insensitive); no user info; the path defaults
    /// to `/` and a fragment is dropped.
    static func absoluteHTTP(_ text: String) -> RequestTarget? {
        guard text.count > 7, text.prefix(7).lowercased() == "http://" else { return nil }
        let rest = text.dropFirst(7)
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<end]
        guard !authority.contains("@"), let (host, port) = splitAuthority(authority, defaultPort: 80) else { return nil }
        var origin = rest[end...]
        if let hash = origin.firstIndex(of: "#") { origin = origin[..<hash] }
        var originForm = String(origin)
        if originForm.isEmpty { originForm = "/" } else if originForm.hasPrefix("?") { originForm = "/" + originForm }
        return RequestTarget(host: host, port: port, authority: String(authority), originForm: originForm)
    }

    /// A `Host` field value: `host`, `host:port` or `[v6]:port`; the port defaults to `port`.
    static func hostField(_ text: String, defaultPort: Int) -> RequestTarget? {
        guard let (host, port) = splitAuthority(Substring(text), defaultPort: defaultPort) else { return nil }
        return RequestTarget(host: host, port: port, authority: text, originForm: "")
    }

    /// Splits `host[:port]`; a bracketed IPv6 host keeps its brackets. Nil when empty, when the
    /// port is missing and required, or not a number from 1 to 65535.
    static func splitAuthority(_ text: Substring, defaultPort: Int?) -> (String, Int)? {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[...close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.contains(":") else { return nil }
        } else {
            host = text
        }
        guard !host.isEmpty else { return nil }
        let port: Int
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(portText), (1...65535).contains(value) else { return nil }
            port = value
        } else {
            guard let defaultPort else { return nil }
            port = defaultPort
        }
        return (String(host), port)
    }
}
