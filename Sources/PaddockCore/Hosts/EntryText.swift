/// Shows user-supplied entries (host patterns, package specs) safely inside error messages.
enum EntryText {
    /// How many Unicode scalars of an entry a message shows before cutting it with `…`.
    static let shownLength = 80

    /// The entry in single quotes, with control and invisible characters escaped (`\n`,
    /// `\u{202e}`) so a message is always one readable line.
    static func quoted(_ text: String) -> String {
        var out = "'"
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if index == shownLength {
                out += "…"
                break
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case " ": out += " "
            default:
                if isVisible(scalar) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                }
            }
        }
        return out + "'"
    }

    /// Whether the scalar is a control character (C0, DEL or C1).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func isVisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .privateUse, .surrogate, .unassigned,
             .lineSeparator, .paragraphSeparator, .spaceSeparator:
            false
        default:
            true
        }
    }
}
