import Foundation

/// The grammar of host entries: splits off brackets, CIDR prefix and port, then parses the
/// address or name. Throws `HostProblem`, which `HostPattern.parse` words as a message.
enum HostPatternParser {
    static func parse(_ text: String) throws(HostProblem) -> HostPattern {
        if text.unicodeScalars.contains(where: EntryText.isControl) {
            throw HostProblem("control characters are not allowed")
        }
        let mapped = HostName.map(text)
        if mapped.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
            throw HostProblem("spaces are not allowed")
        }
        if mapped.contains("://") { throw HostProblem("a scheme such as 'https://' is not allowed") }
        if mapped.contains("@") { throw HostProblem("a user name ('user@') is not allowed") }
        if mapped.contains("?") || mapped.contains("#") { throw HostProblem("a query or fragment is not allowed") }
        if mapped.contains("\\") { throw HostProblem("'\\' is not allowed in a host name") }
        let entry = Substring(mapped)

        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else {
                throw HostProblem("an IPv6 address in brackets must end with ']'")
            }
            let inner = entry[entry.index(after: entry.startIndex)..<close]
            let (prefix, port) = try splitSuffix(entry[entry.index(after: close)...])
            guard let address = IPv6Address(String(inner)) else {
                throw HostProblem("'[\(inner)]' is not an IPv6 address")
            }
            return try ipv6Pattern(address, prefixText: prefix, port: port)
        }
        if let slash = entry.firstIndex(of: "/") {
            return try networkPattern(left: entry[..<slash], right: entry[entry.index(after: slash)...])
        }
        let colons = entry.filter { $0 == ":" }.count
        if colons > 1 {
            // Unbracketed IPv6 is refused: in `2001:db8::1:8443` nobody can tell a port from a group.
            guard let address = IPv6Address(String(entry)) else {
                throw HostProblem("IPv6 addresses are written in brackets, as in '[2001:db8::1]' or '[2001:db8::1]:8443'")
            }
            let pattern = try ipv6Pattern(address, prefixText: nil, port: nil)
            throw HostProblem("IPv6 addresses are written in brackets", suggestion: pattern.description)
        }
        var host = entry
        var port: Int?
        if let colon = entry.firstIndex(of: ":") {
            host = entry[..<colon]
            port = try parsePort(entry[entry.index(after: colon)...])
        }
        return try hostPattern(host, port: port)
    }

    /// Parses `/prefix`, `:port`, `/prefix:port` or nothing after a bracketed IPv6 address.
    private static func splitSuffix(_ suffix: Substring) throws(HostProblem) -> (Substring?, Int?) {
        var rest = suffix
        var prefix: Substring?
        if rest.hasPrefix("/") {
            let end = rest.firstIndex(of: ":") ?? rest.endIndex
            prefix = rest[rest.index(after: rest.startIndex)..<end]
            rest = rest[end...]
        }
        if rest.isEmpty { return (prefix, nil) }
        guard rest.hasPrefix(":") else {
            throw HostProblem("only a port (':8443') or a prefix length ('/64') may follow ']'")
        }
        return (prefix, try parsePort(rest.dropFirst()))
    }

    /// `a.b.c.d/len[:port]` or unbracketed `v6/len`; anything else with a `/` is a path.
    private static func networkPattern(left: Substring, right: Substring) throws(HostProblem) -> HostPattern {
        let path = HostProblem("a path is not allowed")
        guard !right.isEmpty, right.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ":") }) else { throw path }
        if left.contains(":") {
            guard !right.contains(":"), let address = IPv6Address(String(left)) else { throw path }
            let pattern = try ipv6Pattern(address, prefixText: right, port: nil)
            throw HostProblem("IPv6 addresses are written in brackets", suggestion: pattern.description)
        }
        var prefix = right
        var port: Int?
        if let colon = right.firstIndex(of: ":") {
            prefix = right[..<colon]
            port = try parsePort(right[right.index(after: colon)...])
        }
        guard let address = IPv4Address(String(left)) else {
            if let lenient = IPv4Address.parseLenient(String(left)) {
                let written = "\(lenient)/\(prefix)" + (port.map { ":\($0)" } ?? "")
                throw HostProblem("IPv4 addresses are written as four decimal numbers", suggestion: written)
            }
            throw path
        }
        return try ipv4Pattern(address, prefixText: prefix, port: port)
    }

    private static func ipv4Pattern(_ address: IPv4Address, prefixText: Substring?, port: Int?) throws(HostProblem) -> HostPattern {
        guard let prefixText else { return HostPattern(target: .ipv4(address), port: port) }
        let prefix = try parsePrefix(prefixText, maximum: 32)
        if prefix == 32 { return HostPattern(target: .ipv4(address), port: port) }
        let network = IPv4Address(address.value & IPv4Address.mask(prefixLength: prefix))
        let pattern = HostPattern(target: .ipv4Network(network, prefixLength: prefix), port: port)
        guard network == address else {
            throw HostProblem("the address has bits set outside the /\(prefix) network", suggestion: pattern.description)
        }
        return pattern
    }

    private static func ipv6Pattern(_ address: IPv6Address, prefixText: Substring?, port: Int?) throws(HostProblem) -> HostPattern {
        guard let prefixText else {
            if let v4 = address.ipv4Mapped { return HostPattern(target: .ipv4(v4), port: port) }
            return HostPattern(target: .ipv6(address), port: port)
        }
        let prefix = try parsePrefix(prefixText, maximum: 128)
        if let v4 = address.ipv4Mapped, prefix >= 96 {
            // `::ffff:a.b.c.d/len` is the IPv4 network `/len-96`; `/96` would be every IPv4 address.
            guard prefix > 96 else { throw HostProblem("a /0 network would allow every address") }
            return try ipv4Pattern(v4, prefixText: Substring(String(prefix - 96)), port: port)
        }
        if prefix == 128 { return HostPattern(target: .ipv6(address), port: port) }
        let (highMask, lowMask) = IPv6Address.masks(prefixLength: prefix)
        let network = IPv6Address(high: address.high & highMask, low: address.low & lowMask)
        let pattern = HostPattern(target: .ipv6Network(network, prefixLength: prefix), port: port)
        guard network == address else {
            throw HostProblem("the address has bits set outside the /\(prefix) network", suggestion: pattern.description)
        }
        return pattern
    }

    private static func parsePrefix(_ text: Substring, maximum: Int) throws(HostProblem) -> Int {
        guard !text.isEmpty, text.count <= 3, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text) else {
            throw HostProblem("the prefix length after '/' must be a number from 1 to \(maximum)")
        }
        guard value != 0 else { throw HostProblem("a /0 network would allow every address") }
        guard value <= maximum else {
            throw HostProblem("the prefix length after '/' must be a number from 1 to \(maximum)")
        }
        return value
    }

    static func parsePort(_ text: Substring) throws(HostProblem) -> Int {
        guard !text.isEmpty else { throw HostProblem("the port after ':' is empty") }
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw HostProblem("the part after ':' must be a port number from 1 to 65535")
        }
        let digits = text.drop(while: { $0 == "0" })
        guard digits.count <= 5, let port = Int(digits.isEmpty ? "0" : digits), (1...65535).contains(port) else {
            throw HostProblem("the port must be from 1 to 65535")
        }
        return port
    }

    private static func hostPattern(_ host: Substring, port: Int?) throws(HostProblem) -> HostPattern {
        if let address = IPv4Address(String(host)) {
            return HostPattern(target: .ipv4(address), port: port)
        }
        if let lenient = IPv4Address.parseLenient(String(host)) {
            throw HostProblem("IPv4 addresses are written as four decimal numbers",
                              suggestion: HostPattern(target: .ipv4(lenient), port: port).description)
        }
        if host == "*" {
            throw HostProblem("a bare '*' would allow every host, write a pattern such as '*.example.com'")
        }
        if host.hasPrefix("*.") {
            let base = host.dropFirst(2)
            guard !base.contains("*") else {
                throw HostProblem("a wildcard must be the whole first label, as in '*.example.com'")
            }
            let name = try HostName.canonical(base, allowSingleLabel: true)
            guard name.contains(".") else {
                throw HostProblem("a wildcard must cover a domain of at least two labels, as in '*.example.com'")
            }
            return HostPattern(target: .subdomains(of: name), port: port)
        }
        guard !host.contains("*") else {
            throw HostProblem("a wildcard must be the whole first label, as in '*.example.com'")
        }
        return HostPattern(target: .host(try HostName.canonical(host, allowSingleLabel: false)), port: port)
    }

    /// The entry to suggest for URL-like input: scheme, user name, path, query and surrounding
    /// spaces removed, if what is left is a valid pattern.
    static func suggestion(for text: String) -> String? {
        let mapped = HostName.map(text)
        var candidate = Substring(mapped.trimmingCharacters(in: .whitespacesAndNewlines.union(.controlCharacters)))
        if let scheme = candidate.range(of: "://") { candidate = candidate[scheme.upperBound...] }
        if let cut = candidate.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            candidate = candidate[..<cut]
        }
        if let at = candidate.lastIndex(of: "@") { candidate = candidate[candidate.index(after: at)...] }
        guard candidate != Substring(mapped), !candidate.isEmpty,
              let pattern = try? parse(String(candidate)) else { return nil }
        return pattern.description
    }
}
