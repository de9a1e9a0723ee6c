/// Length and character rules for the free-text fields of the API.
public enum TextRules {
    /// A name: 1–256 characters, no control characters.
    public static func name(_ text: String, param: String) throws(PaddockError) -> String {
        let count = text.unicodeScalars.count
        if count == 0 { throw PaddockError.invalid(param, "must not be empty; give a name of 1 to 256 characters") }
        if count > 256 { throw PaddockError.invalid(param, "is \(count) characters long; use at most 256") }
        if text.unicodeScalars.contains(where: isControl) {
            throw PaddockError.invalid(param, "contains a control character; use printable characters only")
        }
        if text.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
            throw PaddockError.invalid(param, "is only white space; give a name people can read")
        }
        if text.unicodeScalars.contains(where: isBidiControl) {
            throw PaddockError.invalid(param, "contains a bidirectional control character (U+202A–U+202E, U+2066–U+2069), which can disguise a name; remove it")
        }
        return text
    }

    static func isBidiControl(_ s: Unicode.Scalar) -> Bool {
        (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value) || s.value == 0x200E || s.value == 0x200F
    }

    /// Free text of at most `maxLength` characters; NUL is always refused.
    /// `allowLineBreaks` permits tab, newline and carriage return (scripts, descriptions).
    public static func text(_ text: String, param: String, maxLength: Int, allowLineBreaks: Bool = true) throws(PaddockError) -> String {
        let count = text.unicodeScalars.count
        if count > maxLength { throw PaddockError.invalid(param, "is \(count) characters long; use at most \(maxLength)") }
        for scalar in text.unicodeScalars where isControl(scalar) {
            if allowLineBreaks, scalar == "\n" || scalar == "\t" || scalar == "\r" { continue }
            throw PaddockError.invalid(param, "contains the control character U+\(String(scalar.value, radix: 16, uppercase: true)); remove it")
        }
        return text
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool { s.value < 0x20 || (0x7F...0x9F).contains(s.value) }
}
