import Foundation

/// What a failed build command's error message quotes: the package manager's own error lines
/// (pip `ERROR:`, apt `E:`, npm `npm ERR!` / `npm error` except its spacer and log-pointer lines)
/// or, when there are none (and for the setup script), the last lines. Bounded however long the
/// command talks.
struct BuildOutputDigest: Sendable {
    /// How many lines a message quotes at most.
    static let maxLines = 20
    /// Longer quoted lines are cut to this many characters.
    static let maxLineCharacters = 400

    /// Which lines count as decisive for the command's layer.
    let kind: LayerKind
    private(set) var decisive: [String] = []
    private(set) var tail: [String] = []

    init(kind: LayerKind) {
        self.kind = kind
    }

    /// Takes one output line.
    mutating func append(_ line: String) {
        if Self.isDecisive(line, for: kind) { Self.keepLast(&decisive, Self.clipped(line)) }
        if !line.allSatisfy(\.isWhitespace) { Self.keepLast(&tail, Self.clipped(line)) }
    }

    /// The lines to quote: the decisive ones, or the last lines when there are none.
    var quotedLines: [String] { decisive.isEmpty ? tail : decisive }

    /// Whether `line` is an error line of the tool that fills a `kind` layer; the setup script's
    /// output has none (any tool may fail there, so its last lines are quoted instead).
    static func isDecisive(_ line: String, for kind: LayerKind) -> Bool {
        let text = line.drop { $0 == " " || $0 == "\t" }
        switch kind {
        case .apt: return text.hasPrefix("E:")
        case .pip: return text.hasPrefix("ERROR:")
        case .npm:
            guard let prefix = ["npm ERR!", "npm error"].first(where: { text.hasPrefix($0) }) else { return false }
            // Not the bare "npm ERR! 404" spacers, nor the pointer to a log inside the build container.
            let rest = text.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
            return !rest.allSatisfy(\.isNumber) && !rest.contains("complete log of this run") && !rest.contains("/.npm/_logs/")
        case .setup: return false
        }
    }

    private static func keepLast(_ lines: inout [String], _ line: String) {
        lines.append(line)
        if lines.count > maxLines { lines.removeFirst(lines.count - maxLines) }
    }

    private static func clipped(_ line: String) -> String {
        line.count <= maxLineCharacters ? line : String(line.prefix(maxLineCharacters)) + "…"
    }
}

/// How build commands and their outcomes are written in logs and error messages.
enum BuildCommandText {
    /// The longest rendering of one command, in characters.
    static let maxCharacters = 600

    /// `argv` as a reader would type it: arguments with spaces or quotes in single quotes;
    /// cut with `…` when very long (e.g. hundreds of apt packages).
    static func render(_ argv: [String]) -> String {
        let text = argv.map(quoted).joined(separator: " ")
        return text.count <= maxCharacters ? text : String(text.prefix(maxCharacters)) + "…"
    }

    /// "exited with status 1", "was killed by signal 9 (out of memory?)".
    static func outcome(_ status: Int32) -> String {
        guard status > 128, status <= 128 + 64 else { return "exited with status \(status)" }
        let signal = status - 128
        return signal == 9 ? "was killed by signal 9 (out of memory, or over the build's limits)" : "was killed by signal \(signal)"
    }

    private static func quoted(_ argument: String) -> String {
        let plain = !argument.isEmpty && argument.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_./=:@+,%^~[]".unicodeScalars.contains(scalar)
        }
        if plain { return argument }
        return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
