/// One entry of `config.packages.pip`: a PEP 508 requirement without direct references —
/// name, optional extras, optional version specifiers, optional environment marker
/// (`pandas`, `PyYAML==6.0.1`, `requests[socks]>=2,<3`, `numpy; python_version >= "3.8"`).
///
/// Refused: options (`-r`, `--index-url=…`), `name @ url`, URLs, local paths and archive files,
/// newlines and control characters, shell metacharacters outside the grammar. Marker strings
/// may contain only letters, digits, spaces and `._+*!~-`.
public struct PipRequirement: Sendable, Hashable, CustomStringConvertible {
    /// The entry trimmed of surrounding spaces, as stored and passed to `pip install` as one argument.
    public let spec: String
    /// The project name as written, e.g. `PyYAML`.
    public let name: String
    /// The extras as written, e.g. `["socks"]`.
    public let extras: [String]
    /// The version specifiers, e.g. `[">=2", "<3"]`, without spaces.
    public let specifiers: [String]
    /// The environment marker after `;`, trimmed, or nil.
    public let marker: String?
    /// The version pinned with a single `==` specifier without wildcard, or nil.
    public let pinnedVersion: String?
    /// What makes two entries duplicates: the normalised project name, so `pandas==2.1.0` and
    /// `pandas<3` (or `pandas[excel]`) cannot both be listed; for a requirement with an
    /// environment marker, the whole requirement (normalised, spaces removed), so entries
    /// split by marker (`numpy==1.24; python_version < '3.9'`, `numpy==1.26; …>= '3.9'`) can.
    let duplicateKey: String

    /// The PEP 503 normalised name (`pyyaml`, `zope-interface`), for comparisons.
    public var normalizedName: String { Self.normalize(name) }

    /// Parses one entry; errors name `param` (e.g. `config.packages.pip[2]`) and the fix.
    public static func parse(_ text: String, param: String) throws(PaddockError) -> PipRequirement {
        do {
            return try parseEntry(text)
        } catch {
            throw PackageEntry.error(text, kind: "a pip requirement", param: param, error)
        }
    }

    /// The spec, e.g. `requests[socks]>=2,<3`.
    public var description: String { spec }

    /// PEP 503 normalisation: lower-case, each run of `-`, `_`, `.` becomes one `-`.
    public static func normalize(_ name: String) -> String {
        var out: [UInt8] = []
        for byte in ASCIIBytes.lowercased(name).utf8 {
            if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") {
                if out.last != UInt8(ascii: "-") { out.append(UInt8(ascii: "-")) }
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private init(spec: String, grammar: PipGrammar) {
        self.spec = spec
        self.name = grammar.name
        self.extras = grammar.extras
        self.specifiers = grammar.specifiers.map { $0.op + $0.version }
        self.marker = grammar.marker
        let pins = grammar.specifiers.filter { $0.op == "==" && !$0.version.contains("*") }
        self.pinnedVersion = pins.count == 1 ? pins[0].version : nil
        self.duplicateKey = grammar.marker == nil ? Self.normalize(name) : grammar.keyTokens.joined(separator: " ")
    }

    private static func parseEntry(_ text: String) throws(PackageProblem) -> PipRequirement {
        let trimmed = PackageEntry.trimmingSpaces(text)
        try PackageEntry.checkCommon(trimmed, example: "pandas==2.1.0")
        var grammar = PipGrammar(trimmed)
        try grammar.parseRequirement()
        return PipRequirement(spec: trimmed, grammar: grammar)
    }
}
