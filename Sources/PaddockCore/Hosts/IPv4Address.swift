/// An IPv4 address: the canonical form used in host patterns, plus a lenient parser that
/// recognises every spelling the C library would connect to, so the network layer can refuse
/// `2852039166`, `0251.0376.0251.0376` or `::ffff:a9fe:a9fe` as surely as `169.254.169.254`.
public struct IPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The address as a 32-bit number (`10.0.0.1` is `0x0A00_0001`).
    public let value: UInt32

    /// Creates an address from its 32-bit number.
    public init(_ value: UInt32) {
        self.value = value
    }

    /// Parses the strict canonical form, four decimal numbers 0–255 without leading zeros
    /// (`203.0.113.7`); nil for anything else.
    public init?(_ text: String) {
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(ASCIIBytes.isDigit) else { return nil }
            guard part.count == 1 || part.first != UInt8(ascii: "0") else { return nil }
            let number = part.reduce(0) { $0 * 10 + UInt32($1 - UInt8(ascii: "0")) }
            guard number <= 255 else { return nil }
            value = value << 8 | number
        }
        self.value = value
    }

    /// Parses any spelling `inet_aton(3)` accepts: one to four parts (`a`, `a.b`, `a.b.c`,
    /// `a.b.c.d`, the last part filling the remaining bytes), each decimal, octal (leading `0`) or
    /// hexadecimal (`0x`), with one trailing dot allowed as URL parsers do; and IPv4-mapped IPv6
    /// (`::ffff:169.254.169.254`, `::ffff:a9fe:a9fe`, with or without brackets). Nil otherwise.
    public static func parseLenient(_ text: String) -> IPv4Address? {
        if text.utf8.contains(UInt8(ascii: ":")) {
            var inner = Substring(text)
            if inner.hasPrefix("["), inner.hasSuffix("]") { inner = inner.dropFirst().dropLast() }
            return IPv6Address(String(inner))?.ipv4Mapped
        }
        var bytes = Array(text.utf8)
        if bytes.count > 1, bytes.last == UInt8(ascii: "."), bytes[bytes.count - 2] != UInt8(ascii: ".") {
            bytes.removeLast()
        }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var numbers: [UInt64] = []
        for part in parts {
            guard let number = inetNumber(part) else { return nil }
            numbers.append(number)
        }
        var value: UInt64 = 0
        for (index, number) in numbers.enumerated() {
            let isLast = index == numbers.count - 1
            let limit: UInt64 = isLast ? (UInt64(1) << (8 * (4 - index))) - 1 : 255
            guard number <= limit else { return nil }
            value = isLast ? value << (8 * (4 - index)) | number : value << 8 | number
        }
        return IPv4Address(UInt32(value))
    }

    /// One `inet_aton` part: `0x` hexadecimal (digits may be empty), `0…` octal, else decimal.
    private static func inetNumber(_ part: ArraySlice<UInt8>) -> UInt64? {
        guard !part.isEmpty else { return nil }
        var digits = part[...]
        var radix: UInt64 = 10
        if digits.count >= 2, digits.first == UInt8(ascii: "0"),
           digits.dropFirst().first == UInt8(ascii: "x") || digits.dropFirst().first == UInt8(ascii: "X") {
            radix = 16
            digits = digits.dropFirst(2)
        } else if digits.count >= 2, digits.first == UInt8(ascii: "0") {
            radix = 8
            digits = digits.dropFirst()
        }
        var value: UInt64 = 0
        for byte in digits {
            guard let digit = ASCIIBytes.hexValue(byte), UInt64(digit) < radix else { return nil }
            value = value * radix + UInt64(digit)
            guard value <= UInt64(UInt32.max) else { return nil }
        }
        return value
    }

    /// Dotted-quad text, e.g. `203.0.113.7`.
    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    /// Orders addresses numerically.
    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool {
        lhs.value < rhs.value
    }

    /// The network mask for a prefix length of 0–32.
    static func mask(prefixLength: Int) -> UInt32 {
        prefixLength <= 0 ? 0 : UInt32.max << (32 - min(prefixLength, 32))
    }

    /// Whether this address lies in `network/prefixLength`.
    public func isIn(network: IPv4Address, prefixLength: Int) -> Bool {
        let mask = Self.mask(prefixLength: prefixLength)
        return value & mask == network.value & mask
    }
}

/// Byte-level ASCII classification shared by the host and package parsers.
enum ASCIIBytes {
    static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    static func isLower(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) }
    static func isUpper(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) }
    static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLower(byte) || isUpper(byte) }

    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte) - 0x30
        case 0x41...0x46: Int(byte) - 0x41 + 10
        case 0x61...0x66: Int(byte) - 0x61 + 10
        default: nil
        }
    }

    /// Lower-cases ASCII letters only.
    static func lowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { isUpper($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
