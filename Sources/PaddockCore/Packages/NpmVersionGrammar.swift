/// The version part of an npm spec: an exact semver version, a node-semver range, or a dist-tag.
///
/// Range grammar (node-semver, with its loose extras `v`, `~>` and spaces after an operator):
/// ranges joined by `||`; a range is `partial - partial` or space-separated comparators
/// `[<|<=|>|>=|=|~|~>|^] partial`; a partial is `v? xr(.xr(.xr qualifier?)?)?` where `xr` is a
/// number, `x`, `X` or `*`, and the qualifier is `-pre` and/or `+build` of `[0-9A-Za-z-]` parts.
enum NpmVersionGrammar {
    private static let operators = ["<=", ">=", "~>", "<", ">", "=", "~", "^"]

    /// The version without a leading `=` or `v` when `text` is one exact semver version
    /// (`1.2.3`, `=1.2.3-rc.1+build.5`), else nil.
    static func exactVersion(_ text: String) -> String? {
        var body = Substring(text)
        if body.hasPrefix("=") { body = body.dropFirst() }
        if body.hasPrefix("v") { body = body.dropFirst() }
        var scanner = PartialScanner(body)
        guard scanner.scanPartial(exactOnly: true), scanner.atEnd else { return nil }
        return String(body)
    }

    /// Whether `text` is a node-semver range such as `^1.2`, `>=2 <5`, `1.x`, `1 - 2`, `1 || 2`.
    static func isRange(_ text: String) -> Bool {
        for alternative in text.split(separator: "||", omittingEmptySubsequences: false) {
            let tokens = alternative.split(separator: " ")
            guard !tokens.isEmpty else { return false }
            if tokens.count == 3, tokens[1] == "-" {
                guard isPartial(tokens[0]), isPartial(tokens[2]) else { return false }
                continue
            }
            var index = 0
            while index < tokens.count {
                let token = tokens[index]
                let op = operators.first { token.hasPrefix($0) }
                let rest = token.dropFirst(op?.count ?? 0)
                if rest.isEmpty {
                    guard op != nil, index + 1 < tokens.count, isPartial(tokens[index + 1]) else { return false }
                    index += 2
                } else {
                    guard isPartial(rest) else { return false }
                    index += 1
                }
            }
        }
        return true
    }

    /// Whether `text` is a dist-tag such as `latest` or `next`: `[a-z][a-z0-9._-]*`.
    static func isTag(_ text: String) -> Bool {
        guard let first = text.utf8.first, ASCIIBytes.isLower(first) else { return false }
        return text.utf8.allSatisfy { ASCIIBytes.isLower($0) || ASCIIBytes.isDigit($0) || "._-".utf8.contains($0) }
    }

    /// Whether a byte can appear anywhere in a version, range or tag.
    static func isVersionByte(_ byte: UInt8) -> Bool {
        ASCIIBytes.isAlphanumeric(byte) || " .*+~^<>=|_-".utf8.contains(byte)
    }

    private static func isPartial(_ token: Substring) -> Bool {
        var body = token
        if body.hasPrefix("v") { body = body.dropFirst() }
        var scanner = PartialScanner(body)
        return scanner.scanPartial(exactOnly: false) && scanner.atEnd
    }

    /// Scans `xr(.xr(.xr qualifier?)?)?` over ASCII bytes.
    private struct PartialScanner {
        let bytes: [UInt8]
        var index = 0

        init(_ text: Substring) {
            bytes = Array(text.utf8)
        }

        var atEnd: Bool { index == bytes.count }

        /// With `exactOnly`, exactly three numbers are required and wildcards are refused.
        mutating func scanPartial(exactOnly: Bool) -> Bool {
            var components = 0
            repeat {
                if components > 0 { index += 1 }  // the "."
                guard scanComponent(allowWildcard: !exactOnly) else { return false }
                components += 1
            } while components < 3 && peek == UInt8(ascii: ".")
            if exactOnly && components < 3 { return false }
            guard components == 3 else { return true }
            if peek == UInt8(ascii: "-") {
                index += 1
                guard scanParts() else { return false }
            }
            if peek == UInt8(ascii: "+") {
                index += 1
                guard scanParts() else { return false }
            }
            return true
        }

        private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        private mutating func scanComponent(allowWildcard: Bool) -> Bool {
            guard let first = peek else { return false }
            if first == UInt8(ascii: "x") || first == UInt8(ascii: "X") || first == UInt8(ascii: "*") {
                index += 1
                return allowWildcard
            }
            guard ASCIIBytes.isDigit(first) else { return false }
            let start = index
            while let byte = peek, ASCIIBytes.isDigit(byte) { index += 1 }
            let length = index - start
            return (first != UInt8(ascii: "0") || length == 1) && length <= 16
        }

        private mutating func scanParts() -> Bool {
            repeat {
                if peek == UInt8(ascii: ".") { index += 1 }
                let start = index
                while let byte = peek, ASCIIBytes.isAlphanumeric(byte) || byte == UInt8(ascii: "-") { index += 1 }
                guard index > start else { return false }
            } while peek == UInt8(ascii: ".")
            return true
        }
    }
}
