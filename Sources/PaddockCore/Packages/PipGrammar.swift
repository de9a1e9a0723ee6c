/// A recursive-descent parser for PEP 508 name requirements (no `@ url` form), run over the
/// ASCII bytes of one entry. It records the parts `PipRequirement` keeps and a normalised
/// token list used to detect duplicates.
struct PipGrammar {
    private let bytes: [UInt8]
    private var index = 0
    /// The project name as written.
    private(set) var name = ""
    /// The extras as written.
    private(set) var extras: [String] = []
    /// The version specifiers in order.
    private(set) var specifiers: [(op: String, version: String)] = []
    /// The marker text after `;`, trimmed.
    private(set) var marker: String?
    /// Normalised tokens of the whole requirement.
    private(set) var keyTokens: [String] = []

    private static let example = "a requirement such as 'pandas==2.1.0'"
    private static let operators = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"]
    private static let markerVariables: Set<String> = [
        "python_version", "python_full_version", "os_name", "sys_platform", "platform_release",
        "platform_system", "platform_version", "platform_machine", "platform_python_implementation",
        "implementation_name", "implementation_version", "extra", "extras", "dependency_groups",
        // Legacy spellings still accepted by pip's `packaging`.
        "os.name", "sys.platform", "platform.version", "platform.machine",
        "platform.python_implementation", "python_implementation",
    ]
    private static let archiveSuffixes = [
        ".whl", ".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz",
        ".tlz", ".tar.lz", ".tar.lzma",
    ]
    private static let maxMarkerDepth = 32

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// Parses the whole entry or throws the first problem.
    mutating func parseRequirement() throws(PackageProblem) {
        name = try parseName(what: "a requirement")
        let lower = ASCIIBytes.lowercased(name)
        if Self.archiveSuffixes.contains(where: { lower.hasSuffix($0) }) {
            throw problem("'\(name)' looks like a file; local files are not allowed")
        }
        keyTokens.append(PipRequirement.normalize(name))
        skipSpaces()
        if peek == UInt8(ascii: "[") { try parseExtras() }
        skipSpaces()
        if peek == UInt8(ascii: "(") {
            index += 1
            skipSpaces()
            try parseSpecifiers()
            skipSpaces()
            guard peek == UInt8(ascii: ")") else { throw unexpected(after: "the version specifiers") }
            index += 1
        } else if let byte = peek, "<>=!~".utf8.contains(byte) {
            try parseSpecifiers()
        }
        skipSpaces()
        if peek == UInt8(ascii: ";") {
            index += 1
            let start = index
            skipSpaces()
            guard peek != nil else { throw problem("an environment marker must follow ';'") }
            keyTokens.append(";")
            try parseMarkerOr(depth: 0)
            marker = PackageEntry.trimmingSpaces(text(start..<bytes.count))
        }
        if let byte = peek, marker == nil, !specifiers.isEmpty, "<>=!~".utf8.contains(byte) {
            throw PackageProblem(reason: "version specifiers are separated by ','", fix: "a requirement such as 'pkg>=1,<2'")
        }
        guard peek == nil else { throw unexpected(after: "the requirement") }
    }

    // MARK: Names, extras, versions

    private mutating func parseName(what: String) throws(PackageProblem) -> String {
        let start = index
        guard let first = peek, ASCIIBytes.isAlphanumeric(first) else {
            switch peek {
            case UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "~"):
                throw problem("local paths are not allowed")
            case UInt8(ascii: "@"):
                throw problem("direct references ('name @ url') are not allowed")
            case let byte?:
                throw problem(PackageEntry.characterReason(byte, in: "at the start of \(what)"))
            case nil:
                throw problem("a name is missing")
            }
        }
        while let byte = peek, ASCIIBytes.isAlphanumeric(byte) || "._-".utf8.contains(byte) { index += 1 }
        guard ASCIIBytes.isAlphanumeric(bytes[index - 1]) else {
            throw problem("a name must end with a letter or digit")
        }
        return text(start..<index)
    }

    private mutating func parseExtras() throws(PackageProblem) {
        index += 1  // "["
        skipSpaces()
        if peek != UInt8(ascii: "]") {
            while true {
                extras.append(try parseName(what: "an extra"))
                skipSpaces()
                guard peek == UInt8(ascii: ",") else { break }
                index += 1
                skipSpaces()
            }
        }
        guard peek == UInt8(ascii: "]") else { throw unexpected(after: "an extra", expecting: "',' or ']'") }
        index += 1
        keyTokens.append("[" + extras.map(PipRequirement.normalize).joined(separator: ",") + "]")
    }

    private mutating func parseSpecifiers() throws(PackageProblem) {
        while true {
            skipSpaces()
            guard let op = Self.operators.first(where: { matches($0) }) else {
                throw unexpected(after: specifiers.isEmpty ? "the name" : "','", expecting: "a version operator such as '>='")
            }
            index += op.utf8.count
            skipSpaces()
            let start = index
            while let byte = peek, ASCIIBytes.isAlphanumeric(byte) || ".*+!_-".utf8.contains(byte) { index += 1 }
            let version = text(start..<index)
            try checkVersion(version, op: op)
            specifiers.append((op, version))
            keyTokens.append(op + version)
            skipSpaces()
            guard peek == UInt8(ascii: ",") else { return }
            index += 1
        }
    }

    private func checkVersion(_ version: String, op: String) throws(PackageProblem) {
        guard let first = version.utf8.first else {
            if let byte = peek { throw problem(PackageEntry.characterReason(byte, in: "in a version")) }
            throw problem("the version after '\(op)' is empty")
        }
        guard ASCIIBytes.isAlphanumeric(first) else {
            throw problem("a version starts with a letter or digit")
        }
        guard version.contains("*"), op != "===" else { return }
        let stars = version.utf8.filter { $0 == UInt8(ascii: "*") }.count
        guard op == "==" || op == "!=", stars == 1, version.hasSuffix(".*") else {
            throw problem("a wildcard is only allowed as a trailing '.*' after '==' or '!='")
        }
    }

    // MARK: Environment markers

    private mutating func parseMarkerOr(depth: Int) throws(PackageProblem) {
        try parseMarkerAnd(depth: depth)
        while true {
            let save = index
            skipSpaces()
            guard keyword("or") else { index = save; return }
            keyTokens.append("or")
            try parseMarkerAnd(depth: depth)
        }
    }

    private mutating func parseMarkerAnd(depth: Int) throws(PackageProblem) {
        try parseMarkerExpression(depth: depth)
        while true {
            let save = index
            skipSpaces()
            guard keyword("and") else { index = save; return }
            keyTokens.append("and")
            try parseMarkerExpression(depth: depth)
        }
    }

    private mutating func parseMarkerExpression(depth: Int) throws(PackageProblem) {
        skipSpaces()
        if peek == UInt8(ascii: "(") {
            guard depth < Self.maxMarkerDepth else { throw problem("the environment marker is nested too deeply") }
            index += 1
            keyTokens.append("(")
            try parseMarkerOr(depth: depth + 1)
            skipSpaces()
            guard peek == UInt8(ascii: ")") else { throw unexpected(after: "the marker", expecting: "')'") }
            index += 1
            keyTokens.append(")")
            return
        }
        try parseMarkerValue()
        skipSpaces()
        try parseMarkerOperator()
        skipSpaces()
        try parseMarkerValue()
    }

    private mutating func parseMarkerValue() throws(PackageProblem) {
        guard let first = peek else { throw problem("the environment marker ends too early") }
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            index += 1
            let start = index
            while let byte = peek, byte != first {
                guard ASCIIBytes.isAlphanumeric(byte) || " ._+*!~-".utf8.contains(byte) else {
                    throw problem("a marker string may contain only letters, digits, spaces and '._+*!~-'")
                }
                index += 1
            }
            guard peek == first else { throw problem("a quoted string in the marker is not closed") }
            keyTokens.append("\"" + text(start..<index) + "\"")
            index += 1
            return
        }
        let start = index
        while let byte = peek, ASCIIBytes.isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") {
            index += 1
        }
        let word = text(start..<index)
        guard !word.isEmpty else { throw unexpected(after: "';'", expecting: "a marker variable or a quoted string") }
        guard Self.markerVariables.contains(word) else {
            throw PackageProblem(reason: "'\(word)' is not an environment marker variable",
                                 fix: "a marker such as 'numpy; python_version >= \"3.8\"'")
        }
        keyTokens.append(word)
    }

    private mutating func parseMarkerOperator() throws(PackageProblem) {
        if let op = Self.operators.first(where: { matches($0) }) {
            index += op.utf8.count
            keyTokens.append(op)
        } else if keyword("in") {
            keyTokens.append("in")
        } else if keyword("not") {
            let save = index
            skipSpaces()
            guard index > save, keyword("in") else { throw problem("'not' in a marker must be followed by 'in'") }
            keyTokens.append("not in")
        } else {
            throw unexpected(after: "the marker variable", expecting: "an operator such as '==' or 'in'")
        }
    }

    // MARK: Scanning

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpaces() {
        while peek == UInt8(ascii: " ") { index += 1 }
    }

    private func matches(_ token: String) -> Bool {
        let token = Array(token.utf8)
        return index + token.count <= bytes.count && Array(bytes[index..<index + token.count]) == token
    }

    /// Consumes a word when it is not followed by another identifier character.
    private mutating func keyword(_ word: String) -> Bool {
        guard matches(word) else { return false }
        let end = index + word.utf8.count
        if end < bytes.count, ASCIIBytes.isAlphanumeric(bytes[end]) || bytes[end] == UInt8(ascii: "_") { return false }
        index = end
        return true
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    private func problem(_ reason: String) -> PackageProblem {
        PackageProblem(reason: reason, fix: Self.example)
    }

    /// The problem for an unexpected byte at the current position.
    private func unexpected(after what: String, expecting: String? = nil) -> PackageProblem {
        guard let byte = peek else {
            return problem("the entry ends too early" + (expecting.map { ", expected \($0)" } ?? ""))
        }
        switch byte {
        case UInt8(ascii: "@"): return problem("direct references ('name @ url') are not allowed")
        case UInt8(ascii: ";"): return problem("';' may only start one environment marker")
        case UInt8(ascii: "-"): return problem("options are not allowed")
        default:
            if ASCIIBytes.isAlphanumeric(byte) {
                return problem("'\(Character(Unicode.Scalar(byte)))' is unexpected after \(what); give one requirement per entry")
            }
            if let expecting, !"|&$`\\".utf8.contains(byte) {
                return problem("'\(Character(Unicode.Scalar(byte)))' is unexpected after \(what), expected \(expecting)")
            }
            return problem(PackageEntry.characterReason(byte, in: "after \(what)"))
        }
    }
}
