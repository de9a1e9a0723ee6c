/// Splitting and percent-decoding of an HTTP request target (`/path?query`).
///
/// The server decodes the raw target itself (libmicrohttpd's own unescaping is disabled):
/// `%HH` sequences are decoded in the path and the query, `+` becomes a space only in the
/// query, an invalid escape (`%zz`, a lone `%`) is kept as it is, and bytes that are not
/// UTF-8 after decoding become U+FFFD. Nothing here can trap on hostile input.
enum RequestTarget {
    /// The raw path (without the query) and the raw query (without `?`, nil when absent).
    /// An absolute-form target (`http://host/p?q`) is reduced to its path and query.
    static func split(_ target: String) -> (rawPath: Substring, rawQuery: Substring?) {
        var target = Substring(target)
        if target.utf8.first != UInt8(ascii: "/"), let authority = authorityStart(target) {
            let rest = target[authority...]
            guard let end = rest.utf8.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) else {
                return ("/", nil)
            }
            target = rest[end...]
            if target.utf8.first == UInt8(ascii: "?") { return ("/", target.dropFirst()) }
        }
        guard let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (target, nil) }
        return (target[..<mark], target[target.utf8.index(after: mark)...])
    }

    /// Where the authority starts in `scheme://authority/...`, or nil when there is no `://`.
    private static func authorityStart(_ target: Substring) -> String.Index? {
        let utf8 = target.utf8
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") { return nil }
            if byte == UInt8(ascii: ":") {
                let rest = utf8[index...]
                guard rest.starts(with: "://".utf8) else { return nil }
                return utf8.index(index, offsetBy: 3)
            }
            index = utf8.index(after: index)
        }
        return nil
    }

    /// Query items in order; `a&&b=1` gives `[("a", ""), ("b", "1")]`.
    static func queryItems(_ rawQuery: Substring?) -> [(String, String)] {
        guard let rawQuery, !rawQuery.isEmpty else { return [] }
        var items: [(String, String)] = []
        for pair in rawQuery.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                items.append((decode(pair[..<equals], plusAsSpace: true),
                              decode(pair[pair.index(after: equals)...], plusAsSpace: true)))
            } else {
                items.append((decode(pair, plusAsSpace: true), ""))
            }
        }
        return items
    }

    /// Percent-decodes `bytes`; with `plusAsSpace`, `+` becomes a space (form encoding).
    static func decode<C: Collection>(_ bytes: C, plusAsSpace: Bool) -> String where C.Element == UInt8 {
        let percent = UInt8(ascii: "%"), plus = UInt8(ascii: "+")
        guard bytes.contains(where: { $0 == percent || (plusAsSpace && $0 == plus) }) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == percent {
                let first = bytes.index(after: index)
                if first != bytes.endIndex {
                    let second = bytes.index(after: first)
                    if second != bytes.endIndex, let high = hexValue(bytes[first]), let low = hexValue(bytes[second]) {
                        out.append(high << 4 | low)
                        index = bytes.index(after: second)
                        continue
                    }
                }
                out.append(byte)
            } else if plusAsSpace && byte == plus {
                out.append(UInt8(ascii: " "))
            } else {
                out.append(byte)
            }
            index = bytes.index(after: index)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// ASCII case-insensitive equality, for header names.
    static func equalsIgnoringCase(_ lhs: String, _ rhs: String) -> Bool {
        let a = lhs.utf8, b = rhs.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            guard lowercased(x) == lowercased(y) else { return false }
        }
        return true
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) ? byte | 0x20 : byte
    }
}
