/// An IPv6 address, for `[2001:db8::1]` host patterns and for recognising IPv4-mapped
/// spellings (`::ffff:169.254.169.254`) of IPv4 addresses.
public struct IPv6Address: Sendable, Hashable, CustomStringConvertible {
    /// The upper 64 bits of the address.
    public let high: UInt64
    /// The lower 64 bits of the address.
    public let low: UInt64

    /// Creates an address from its two 64-bit halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses RFC 4291 text without brackets or zone id: eight groups of 1–4 hex digits, at most
    /// one `::`, optionally ending in a dotted-quad IPv4 address (`::ffff:192.0.2.1`). Nil otherwise.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes.count <= 45 else { return nil }
        let colon = UInt8(ascii: ":")
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        var index = 0
        if bytes[0] == colon {
            guard bytes[1] == colon else { return nil }
            sawDoubleColon = true
            index = 2
        }
        while index < bytes.count {
            var end = index
            while end < bytes.count, bytes[end] != colon { end += 1 }
            let group = bytes[index..<end]
            if group.contains(UInt8(ascii: ".")) {
                guard end == bytes.count, let v4 = IPv4Address(String(decoding: group, as: UTF8.self)) else { return nil }
                let halves = [UInt16(v4.value >> 16), UInt16(v4.value & 0xFFFF)]
                if sawDoubleColon { tail += halves } else { head += halves }
                index = end
                break
            }
            guard (1...4).contains(group.count) else { return nil }
            var value: UInt16 = 0
            for byte in group {
                guard let digit = ASCIIBytes.hexValue(byte) else { return nil }
                value = value << 4 | UInt16(digit)
            }
            if sawDoubleColon { tail.append(value) } else { head.append(value) }
            guard end < bytes.count else { index = end; break }
            // `end` is a colon: a second one right after it is the `::`.
            if end + 1 < bytes.count, bytes[end + 1] == colon {
                guard !sawDoubleColon else { return nil }
                sawDoubleColon = true
                index = end + 2
            } else {
                guard end + 1 < bytes.count else { return nil }
                index = end + 1
            }
        }
        let count = head.count + tail.count
        if sawDoubleColon {
            guard count <= 7 else { return nil }
        } else {
            guard count == 8 else { return nil }
        }
        let groups = head + Array(repeating: 0, count: 8 - count) + tail
        self.high = groups[0..<4].reduce(0) { $0 << 16 | UInt64($1) }
        self.low = groups[4..<8].reduce(0) { $0 << 16 | UInt64($1) }
    }

    /// The eight 16-bit groups.
    var groups: [UInt16] {
        (0..<4).map { UInt16(truncatingIfNeeded: high >> (48 - 16 * $0)) }
            + (0..<4).map { UInt16(truncatingIfNeeded: low >> (48 - 16 * $0)) }
    }

    /// The embedded IPv4 address when this is an IPv4-mapped address (`::ffff:a.b.c.d`).
    public var ipv4Mapped: IPv4Address? {
        guard high == 0, low >> 32 == 0xFFFF else { return nil }
        return IPv4Address(UInt32(truncatingIfNeeded: low))
    }

    /// RFC 5952 text: lower-case, no leading zeros, the longest run of zero groups as `::`.
    public var description: String {
        if let v4 = ipv4Mapped { return "::ffff:\(v4)" }
        let groups = self.groups
        var bestStart = -1
        var bestLength = 1
        var start = 0
        while start < 8 {
            guard groups[start] == 0 else { start += 1; continue }
            var end = start
            while end < 8, groups[end] == 0 { end += 1 }
            if end - start > bestLength {
                bestStart = start
                bestLength = end - start
            }
            start = end
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return hex.joined(separator: ":") }
        let left = hex[..<bestStart].joined(separator: ":")
        let right = hex[(bestStart + bestLength)...].joined(separator: ":")
        return left + "::" + right
    }

    /// Whether this address lies in `network/prefixLength` (0–128).
    public func isIn(network: IPv6Address, prefixLength: Int) -> Bool {
        let (highMask, lowMask) = Self.masks(prefixLength: prefixLength)
        return high & highMask == network.high & highMask && low & lowMask == network.low & lowMask
    }

    /// The network masks of both halves for a prefix length of 0–128.
    static func masks(prefixLength: Int) -> (UInt64, UInt64) {
        let p = max(0, min(prefixLength, 128))
        let highMask: UInt64 = p == 0 ? 0 : (p >= 64 ? .max : .max << (64 - p))
        let lowMask: UInt64 = p <= 64 ? 0 : (p == 128 ? .max : .max << (128 - p))
        return (highMask, lowMask)
    }
}
