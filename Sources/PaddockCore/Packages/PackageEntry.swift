/// Why a package entry was refused, worded by `PackageEntry.error` as
/// `'<entry>' is not <kind>; <reason>, write <fix>`.
struct PackageProblem: Error, Sendable {
    /// What is wrong, lower-case.
    var reason: String
    /// What to write instead, e.g. `a package name such as 'jq'`.
    var fix: String
}

/// Checks and messages shared by the apt, pip and npm entry parsers.
enum PackageEntry {
    /// The longest entry accepted, in Unicode scalars.
    static let maxLength = 256

    /// The error for one refused entry.
    static func error(_ text: String, kind: String, param: String, _ problem: PackageProblem) -> PaddockError {
        .invalid(param, "\(EntryText.quoted(text)) is not \(kind); \(problem.reason), write \(problem.fix)")
    }

    /// The checks every manager applies before its grammar: not empty, at most 256 characters,
    /// no newline or other control character, ASCII only, not an option, not a URL.
    static func checkCommon(_ text: String, example: String) throws(PackageProblem) {
        let fix = "a package name such as '\(example)'"
        guard !text.isEmpty else { throw PackageProblem(reason: "the entry is empty", fix: fix) }
        guard text.unicodeScalars.count <= maxLength else {
            throw PackageProblem(reason: "it is longer than \(maxLength) characters", fix: "one package per entry, such as '\(example)'")
        }
        for scalar in text.unicodeScalars {
            if scalar == "\n" || scalar == "\r" || scalar == "\u{2028}" || scalar == "\u{2029}" {
                throw PackageProblem(reason: "newlines are not allowed", fix: "one package per entry, such as '\(example)'")
            }
            if EntryText.isControl(scalar) {
                throw PackageProblem(reason: "control characters are not allowed", fix: fix)
            }
            if !scalar.isASCII {
                throw PackageProblem(reason: "only ASCII characters are allowed", fix: fix)
            }
        }
        if text.hasPrefix("-") { throw PackageProblem(reason: "options are not allowed", fix: fix) }
        if text.contains("://") { throw PackageProblem(reason: "URLs are not allowed", fix: fix) }
    }

    /// The text without leading and trailing spaces (U+0020 only; other whitespace is refused).
    static func trimmingSpaces(_ text: String) -> String {
        var slice = Substring(text)
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return String(slice)
    }

    /// The reason for an unexpected ASCII character.
    static func characterReason(_ byte: UInt8, in place: String) -> String {
        switch byte {
        case UInt8(ascii: " "): "spaces are not allowed \(place)"
        case UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: "&"), UInt8(ascii: "$"), UInt8(ascii: "`"),
             UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"),
             UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "*"),
             UInt8(ascii: "?"), UInt8(ascii: "!"), UInt8(ascii: "#"):
            "the shell metacharacter '\(Character(Unicode.Scalar(byte)))' is not allowed \(place)"
        default:
            "'\(Character(Unicode.Scalar(byte)))' is not allowed \(place)"
        }
    }
}
