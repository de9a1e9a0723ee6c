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
        return text
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
