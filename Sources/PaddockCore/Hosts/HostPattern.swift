/// One entry of a network allowlist (`domains`) or of `allowed_hosts`, validated and in
/// canonical form: `example.com`, `*.example.com`, `pypi.org:8443`, `203.0.113.7`,
/// `203.0.113.0/24`, `[2001:db8::1]`, `[2001:db8::]/32`.
///
/// Rules (see `network.md`, "Host patterns"): names are lower-cased, lose a trailing dot and
/// have IDN labels converted to punycode (see `HostName` for the simplified UTS 46 mapping);
/// a wildcard is `*.` followed by a name of at least two labels and matches every host strictly
/// below it; a pattern without a port matches ports 80 and 443, one with a port only that port.
/// `parse(p.description) == p` for every pattern.
public struct HostPattern: Sendable, Hashable, CustomStringConvertible {
    /// What a pattern matches, besides the port.
    public enum Target: Sendable, Hashable {
        /// Exactly this canonical host name.
        case host(String)
        /// Every host strictly below this canonical name (`*.example.com` stores `example.com`).
        case subdomains(of: String)
        /// Exactly this IPv4 address.
        case ipv4(IPv4Address)
        /// Every IPv4 address in this network; the address has no host bits set.
        case ipv4Network(IPv4Address, prefixLength: Int)
        /// Exactly this IPv6 address.
        case ipv6(IPv6Address)
        /// Every IPv6 address in this network; the address has no host bits set.
        case ipv6Network(IPv6Address, prefixLength: Int)
    }

    /// What the pattern matches.
    public let target: Target
    /// The only port allowed, or nil for the default ports 80 and 443.
    public let port: Int?

    /// The longest entry accepted, in Unicode scalars.
    public static let maxLength = 256

    /// Parses an entry; errors name the field `host`. Prefer `parse(_:param:)`, which names the
    /// real field path.
    public init(_ text: String) throws(PaddockError) {
        self = try Self.parse(text, param: "host")
    }

    /// Creates a pattern from parts already known to be valid (used by the parser).
    init(target: Target, port: Int?) {
        self.target = target
        self.port = port
    }

    /// Parses and canonicalises one entry. Throws `.invalid(param, …)` naming the entry and, when
    /// one can be derived, the entry to write instead (`https://pypi.org/simple` → `pypi.org`).
    public static func parse(_ text: String, param: String) throws(PaddockError) -> HostPattern {
        let shown = EntryText.quoted(text)
        guard text.unicodeScalars.count <= maxLength else {
            throw .invalid(param, "\(shown) is not a host name; it is longer than \(maxLength) characters")
        }
        guard !text.isEmpty else {
            throw .invalid(param, "'' is not a host name; write a host name such as 'example.com'")
        }
        do {
            return try HostPatternParser.parse(text)
        } catch {
            var message = "\(shown) is not a host name; \(error.reason)"
            if let suggestion = error.suggestion ?? HostPatternParser.suggestion(for: text) {
                message += ", write '\(suggestion)'"
            }
            throw .invalid(param, message)
        }
    }

    /// The canonical text, e.g. `*.example.com`, `example.com:8443`, `10.0.0.0/8`.
    public var description: String {
        let base: String
        switch target {
        case .host(let name): base = name
        case .subdomains(let name): base = "*." + name
        case .ipv4(let address): base = address.description
        case .ipv4Network(let address, let prefix): base = "\(address)/\(prefix)"
        case .ipv6(let address): base = "[\(address)]"
        case .ipv6Network(let address, let prefix): base = "[\(address)]/\(prefix)"
        }
        guard let port else { return base }
        return "\(base):\(port)"
    }

    /// Whether the pattern is an IP address or network rather than a host name.
    public var isAddress: Bool {
        switch target {
        case .host, .subdomains: false
        case .ipv4, .ipv4Network, .ipv6, .ipv6Network: true
        }
    }
}
