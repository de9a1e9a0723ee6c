/// The two host lists a `limited` policy builds on (network.md, "What each policy means"):
/// *known-safe services* (source hosting, documentation) and *package managers* (registries and
/// mirrors). They are versioned data files, shown by `GET /v1/network/presets` and replaceable by
/// the operator.
public struct NetworkPresets: Sendable, Hashable {
    /// Source-hosting and documentation hosts every `limited` session may reach.
    public let knownSafe: [HostPattern]
    /// Registry and mirror hosts a `limited` session may reach with `allow_package_managers`.
    public let packageManagers: [HostPattern]
    /// The version of the lists, shown with them and in audit summaries.
    public let version: String

    /// The most characters a version may have.
    public static let maxVersionLength = 64

    /// Creates presets from parsed lists. Entries must not name a port (a `limited` policy
    /// allows ports 80 and 443 only); repeated entries are kept once. Throws `.invalid` otherwise.
    public init(knownSafe: [HostPattern], packageManagers: [HostPattern], version: String) throws(PaddockError) {
        for (name, list) in [("known_safe", knownSafe), ("package_managers", packageManagers)] {
            if let index = list.firstIndex(where: { $0.port != nil }) {
                throw .invalid("\(name)[\(index)]", "'\(list[index])' names a port, but presets allow HTTP(S) on ports 80 and 443 only; drop the port")
            }
        }
        guard !version.isEmpty, version.count <= Self.maxVersionLength,
              version.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }) else {
            throw .invalid("version", "\(EntryText.quoted(version)) is not a version; use 1 to \(Self.maxVersionLength) printable ASCII characters without spaces, e.g. '2025-01-15'")
        }
        self.knownSafe = Self.unique(knownSafe)
        self.packageManagers = Self.unique(packageManagers)
        self.version = version
    }

    /// Presets with both lists empty (a `limited` policy then allows only its `allowed_hosts`).
    public static let empty = NetworkPresets(unchecked: [], [], version: "none")

    private init(unchecked knownSafe: [HostPattern], _ packageManagers: [HostPattern], version: String) {
        self.knownSafe = knownSafe
        self.packageManagers = packageManagers
        self.version = version
    }

    /// Parses the two data files: one host pattern per line; `#` starts a comment (whole line or
    /// after an entry); blank lines are ignored. Errors name the list and the 1-based line,
    /// e.g. `known_safe line 7: 'https://x' is not a host name; …`.
    public static func parse(knownSafe: String, packageManagers: String, version: String) throws(PaddockError) -> NetworkPresets {
        try NetworkPresets(knownSafe: parseList(knownSafe, name: "known_safe"),
                           packageManagers: parseList(packageManagers, name: "package_managers"),
                           version: version)
    }

    /// Parses one list file.
    static func parseList(_ text: String, name: String) throws(PaddockError) -> [HostPattern] {
        var patterns: [HostPattern] = []
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = rawLine
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let entry = line.trimmingASCIIWhitespace()
            if entry.isEmpty { continue }
            let param = "\(name) line \(lineNumber)"
            let pattern = try HostPattern.parse(String(entry), param: param)
            if pattern.port != nil {
                throw .invalid(param, "'\(pattern)' names a port, but presets allow HTTP(S) on ports 80 and 443 only; drop the port")
            }
            patterns.append(pattern)
        }
        return patterns
    }

    private static func unique(_ patterns: [HostPattern]) -> [HostPattern] {
        var seen = Set<HostPattern>()
        return patterns.filter { seen.insert($0).inserted }
    }
}

extension Substring {
    /// The text without leading and trailing spaces, tabs and carriage returns.
    func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
