import Foundation

/// Why a host entry or target was refused; `HostPattern.parse` turns it into a message.
struct HostProblem: Error, Sendable {
    /// A lower-case phrase saying what is wrong.
    var reason: String
    /// The corrected entry to suggest, when one is known.
    var suggestion: String?

    init(_ reason: String, suggestion: String? = nil) {
        self.reason = reason
        self.suggestion = suggestion
    }
}

/// Canonicalisation of DNS host names: lower-case, no trailing dot, IDN labels in punycode.
///
/// This is "UTS 46-ish", simplified on purpose:
/// - mapping is Unicode lower-casing plus NFKC (`precomposedStringWithCompatibilityMapping`),
///   applied twice, plus the ideographic full stops `。` `．` `｡` read as `.`; not the full UTS 46
///   mapping table (a few exotic characters map differently, e.g. soft hyphen is refused, not
///   dropped);
/// - deviation characters (`ß`, `ς`, ZWJ/ZWNJ) are not transitionally mapped: `ß` is kept, as
///   IDNA 2008 and current browsers do, and ZWJ/ZWNJ are refused (no CONTEXTJ rules);
/// - a non-ASCII character is allowed only if it is a letter, a mark or a number (general
///   categories L, M, N) — close to IDNA 2008's PVALID, without its exceptions; a label may not
///   start with a mark; no Bidi rule, no CONTEXTO rules;
/// - hyphens in positions 3–4 are allowed (CheckHyphens off, like URL parsers), except that an
///   `xn--` label must be valid punycode of a non-ASCII, already-mapped label, so every name has
///   exactly one canonical spelling;
/// - ASCII labels are restricted to `[a-z0-9-]` (no `_`), not starting or ending with `-`,
///   at most 63 bytes; the whole name at most 253 bytes.
enum HostName {
    /// Applies the mapping step described above to a whole entry.
    static func map(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return ASCIIBytes.lowercased(text) }
        let once = text.lowercased().precomposedStringWithCompatibilityMapping
        var mapped = once.lowercased().precomposedStringWithCompatibilityMapping
        for dot in ["\u{3002}", "\u{FF0E}", "\u{FF61}"] {
            mapped = mapped.replacingOccurrences(of: dot, with: ".")
        }
        return mapped
    }

    /// Canonicalises an already mapped name; the `*` wildcard is handled by the caller.
    /// - Parameter allowSingleLabel: whether a one-label name such as `localhost` is accepted.
    static func canonical(_ mapped: Substring, allowSingleLabel: Bool) throws(HostProblem) -> String {
        var name = mapped
        if name.hasSuffix(".") { name = name.dropLast() }
        guard !name.isEmpty else { throw HostProblem("the host name is empty") }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard !labels.contains(where: \.isEmpty) else {
            throw HostProblem("it has an empty label ('..' or a leading dot)")
        }
        var output: [String] = []
        for label in labels {
            output.append(try canonicalLabel(label))
        }
        let result = output.joined(separator: ".")
        guard result.utf8.count <= 253 else { throw HostProblem("the host name is longer than 253 characters") }
        if let last = output.last, isNumericLabel(last) {
            throw HostProblem("its last label '\(last)' is a number, but the name is not an IPv4 address")
        }
        guard allowSingleLabel || output.count > 1 else {
            throw HostProblem("a single label such as a top-level domain is not enough, write a full name such as 'example.com'")
        }
        return result
    }

    /// Whether a label reads as a number to URL parsers (`123`, `0x1f`), so a name ending in it
    /// would be taken for an IPv4 address.
    static func isNumericLabel(_ label: String) -> Bool {
        let bytes = Array(label.utf8)
        if bytes.allSatisfy(ASCIIBytes.isDigit) { return true }
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x") else { return false }
        return bytes.dropFirst(2).allSatisfy { ASCIIBytes.hexValue($0) != nil }
    }

    private static func canonicalLabel(_ label: Substring) throws(HostProblem) -> String {
        let ascii: String
        if label.utf8.allSatisfy({ $0 < 0x80 }) {
            ascii = String(label)
            if ascii.hasPrefix("xn--") { try checkPunycodeLabel(ascii) }
        } else {
            guard !label.hasPrefix("xn--") else {
                throw HostProblem("the label '\(label)' starts with 'xn--' but is not punycode")
            }
            try checkUnicodeLabel(String(label))
            guard let encoded = Punycode.encode(String(label)) else {
                throw HostProblem("the label '\(label)' cannot be converted to punycode")
            }
            ascii = "xn--" + encoded
        }
        for byte in ascii.utf8 where !(ASCIIBytes.isLower(byte) || ASCIIBytes.isDigit(byte) || byte == UInt8(ascii: "-")) {
            throw HostProblem(characterReason(byte))
        }
        guard !ascii.hasPrefix("-"), !ascii.hasSuffix("-") else {
            throw HostProblem("the label '\(ascii)' starts or ends with '-'")
        }
        guard ascii.utf8.count <= 63 else {
            throw HostProblem("the label '\(ascii.prefix(20))…' is longer than 63 characters")
        }
        return ascii
    }

    /// An `xn--` label must decode to a non-ASCII label that is already in mapped form and
    /// encodes back to exactly the same text.
    private static func checkPunycodeLabel(_ label: String) throws(HostProblem) {
        let body = String(label.dropFirst(4))
        guard let decoded = Punycode.decode(body),
              !decoded.utf8.allSatisfy({ $0 < 0x80 }),
              Punycode.encode(decoded) == body,
              map(decoded) == decoded,
              (try? checkUnicodeLabel(decoded)) != nil
        else { throw HostProblem("the label '\(label)' is not valid punycode") }
    }

    private static func checkUnicodeLabel(_ label: String) throws(HostProblem) {
        guard !label.hasPrefix("-"), !label.hasSuffix("-") else {
            throw HostProblem("the label '\(label)' starts or ends with '-'")
        }
        for (index, scalar) in label.unicodeScalars.enumerated() {
            if scalar.isASCII {
                continue  // checked after encoding
            }
            let category = scalar.properties.generalCategory
            switch category {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .decimalNumber, .letterNumber, .otherNumber:
                continue
            case .nonspacingMark, .spacingMark, .enclosingMark:
                guard index > 0 else { throw HostProblem("a label must not start with a combining mark") }
            default:
                let code = "U+" + String(scalar.value, radix: 16, uppercase: true)
                throw HostProblem("the character \(code) is not allowed in a host name")
            }
        }
    }

    /// The reason for a disallowed ASCII character in a name.
    static func characterReason(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "_"): "'_' is not allowed in a host name"
        case UInt8(ascii: "*"): "a wildcard must be the whole first label, as in '*.example.com'"
        case 0x21...0x7E: "'\(Character(Unicode.Scalar(byte)))' is not allowed in a host name"
        default: "the character U+\(String(byte, radix: 16, uppercase: true)) is not allowed in a host name"
        }
    }
}
