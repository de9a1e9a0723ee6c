/// A connection target after canonicalisation: a host name or an address.
enum TargetHost: Sendable, Hashable {
    case name(String)
    case ipv4(IPv4Address)
    case ipv6(IPv6Address)

    /// Canonicalises a target the way patterns are canonicalised; nil when it is not a valid
    /// host name or IP address in any spelling.
    init?(_ raw: String) {
        guard !raw.isEmpty, raw.unicodeScalars.count <= HostPattern.maxLength,
              !raw.unicodeScalars.contains(where: EntryText.isControl) else { return nil }
        let mapped = HostName.map(raw)
        if mapped.hasPrefix("[") || mapped.contains(":") {
            var inner = Substring(mapped)
            if inner.hasPrefix("[") {
                guard inner.hasSuffix("]") else { return nil }
                inner = inner.dropFirst().dropLast()
            }
            guard let address = IPv6Address(String(inner)) else { return nil }
            if let v4 = address.ipv4Mapped {
                self = .ipv4(v4)
            } else {
                self = .ipv6(address)
            }
            return
        }
        if let address = IPv4Address.parseLenient(mapped) {
            self = .ipv4(address)
            return
        }
        guard !mapped.unicodeScalars.contains(where: { $0.properties.isWhitespace }),
              let name = try? HostName.canonical(Substring(mapped), allowSingleLabel: true) else { return nil }
        self = .name(name)
    }

    /// The canonical text: a name, a dotted quad, or an IPv6 address in brackets.
    var text: String {
        switch self {
        case .name(let name): name
        case .ipv4(let address): address.description
        case .ipv6(let address): "[\(address)]"
        }
    }
}

extension HostPattern {
    /// Canonicalises a connection target (a host name, or an IP address in any spelling,
    /// including `2852039166`, `0x7f.1` and `::ffff:a9fe:a9fe`) exactly as patterns are:
    /// lower-case punycode without trailing dot, dotted-quad IPv4 (IPv4-mapped IPv6 becomes
    /// IPv4), other IPv6 in brackets (`[2001:db8::1]`). Nil when the target is invalid, e.g.
    /// when it contains a scheme, port, path, space, `_`, or ends in a number that is not IPv4.
    public static func canonicalHost(_ raw: String) -> String? {
        TargetHost(raw)?.text
    }

    /// Whether a connection to `host:port` is allowed by this pattern. `host` should be
    /// canonical (see `canonicalHost(_:)`); it is canonicalised again here, and an invalid host
    /// never matches. A pattern without a port allows ports 80 and 443 only.
    public func matches(host: String, port: Int) -> Bool {
        if let allowed = self.port {
            guard port == allowed else { return false }
        } else {
            guard port == 80 || port == 443 else { return false }
        }
        guard let target = TargetHost(host) else { return false }
        return matches(target)
    }

    /// Whether the canonical target matches, ignoring the port.
    func matches(_ target: TargetHost) -> Bool {
        switch (self.target, target) {
        case (.host(let name), .name(let host)):
            return host == name
        case (.subdomains(let base), .name(let host)):
            return host.utf8.count > base.utf8.count + 1 && host.hasSuffix("." + base)
        case (.ipv4(let address), .ipv4(let host)):
            return host == address
        case (.ipv4Network(let network, let prefix), .ipv4(let host)):
            return host.isIn(network: network, prefixLength: prefix)
        case (.ipv6(let address), .ipv6(let host)):
            return host == address
        case (.ipv6Network(let network, let prefix), .ipv6(let host)):
            return host.isIn(network: network, prefixLength: prefix)
        default:
            return false
        }
    }
}
