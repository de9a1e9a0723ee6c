/// Printable, bounded renderings of client text inside error messages.
enum ClientText {
    /// `text` with control characters escaped as `\u{…}` and cut to 64 characters.
    static func shown(_ text: String) -> String {
        var out = ""
        for (i, scalar) in text.unicodeScalars.enumerated() {
            if i == 64 { out += "…"; break }
            if TextRules.isControl(scalar) || TextRules.isBidiControl(scalar) {
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
