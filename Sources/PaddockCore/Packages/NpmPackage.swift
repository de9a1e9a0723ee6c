/// One entry of `config.packages.npm`: a registry package name with an optional version,
/// range or dist-tag (`eslint`, `typescript@5.0.0`, `@types/node@20`, `@scope/pkg@^1.2`,
/// `typescript@>=2 <5`).
///
/// Names follow npm's rules for new packages: optional `@scope/`, lower-case, at most 214
/// characters of `[a-z0-9._~-]`, not starting with `.` or `_`, no `..`. Refused: git, file,
/// URL, `user/repo` and `npm:` alias specs, options, spaces outside a range, shell
/// metacharacters outside the range grammar.
public struct NpmPackage: Sendable, Hashable, CustomStringConvertible {
    /// The entry as stored and passed to `npm install` as one argument, e.g. `@types/node@20`.
    public let spec: String
    /// The package name including any scope, e.g. `@types/node`.
    public let name: String
    /// The version, range or tag after the name's `@`, or nil for `latest`.
    public let version: String?
    /// The exact semver version asked for (`typescript@5.0.0` → `5.0.0`), or nil for a range or tag.
    public let pinnedVersion: String?

    /// The longest package name npm accepts.
    public static let maxNameLength = 214

    /// Parses one entry; errors name `param` (e.g. `config.packages.npm[0]`) and the fix.
    public static func parse(_ text: String, param: String) throws(PaddockError) -> NpmPackage {
        do {
            return try parseEntry(text)
        } catch {
            throw PackageEntry.error(text, kind: "an npm package", param: param, error)
        }
    }

    /// The spec, e.g. `typescript@5.0.0`.
    public var description: String { spec }

    private init(spec: String, name: String, version: String?, pinnedVersion: String?) {
        self.spec = spec
        self.name = name
        self.version = version
        self.pinnedVersion = pinnedVersion
    }

    private static let example = "a package name such as 'typescript@5.0.0'"

    private static func parseEntry(_ text: String) throws(PackageProblem) -> NpmPackage {
        try PackageEntry.checkCommon(text, example: "typescript@5.0.0")
        if text.contains(":") {
            throw PackageProblem(reason: "git, file, URL and alias specs ('github:', 'file:', 'npm:') are not allowed",
                                 fix: example)
        }
        // The version starts at the first '@' after the name; a scoped name has its own leading '@'.
        let searchFrom = text.hasPrefix("@") ? text.index(after: text.startIndex) : text.startIndex
        let at = text[searchFrom...].firstIndex(of: "@")
        let name = String(text[..<(at ?? text.endIndex)])
        try checkName(name)
        guard let at else { return NpmPackage(spec: text, name: name, version: nil, pinnedVersion: nil) }
        let version = String(text[text.index(after: at)...])
        let fix = "'\(name)' or a version such as '\(name)@1.2.3', a range such as '\(name)@^1.2' or a tag such as '\(name)@latest'"
        guard !version.isEmpty else { throw PackageProblem(reason: "the version after '@' is empty", fix: fix) }
        guard !version.hasPrefix(" "), !version.hasSuffix(" ") else {
            throw PackageProblem(reason: "spaces are only allowed inside a version range", fix: fix)
        }
        if let pinned = NpmVersionGrammar.exactVersion(version) {
            return NpmPackage(spec: text, name: name, version: version, pinnedVersion: pinned)
        }
        guard NpmVersionGrammar.isRange(version) || NpmVersionGrammar.isTag(version) else {
            if let bad = version.utf8.first(where: { !NpmVersionGrammar.isVersionByte($0) }) {
                throw PackageProblem(reason: PackageEntry.characterReason(bad, in: "in a version"), fix: fix)
            }
            throw PackageProblem(reason: "'\(version)' is not a version, range or tag", fix: fix)
        }
        return NpmPackage(spec: text, name: name, version: version, pinnedVersion: nil)
    }

    private static func checkName(_ name: String) throws(PackageProblem) {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        if name.hasPrefix("@") {
            guard parts.count == 2, parts[0].count > 1 else {
                throw PackageProblem(reason: "a scoped name is written '@scope/name'", fix: "a name such as '@types/node'")
            }
            guard !parts[1].isEmpty else {
                throw PackageProblem(reason: "the name after '\(parts[0])/' is empty", fix: "a name such as '\(parts[0])/pkg'")
            }
            try checkNamePart(parts[0].dropFirst(), whole: name)
            try checkNamePart(parts[1], whole: name)
        } else {
            guard parts.count == 1 else {
                throw PackageProblem(reason: "paths and GitHub shorthands ('user/repo') are not allowed", fix: example)
            }
            guard !name.isEmpty else { throw PackageProblem(reason: "the package name is empty", fix: example) }
            try checkNamePart(parts[0], whole: name)
        }
        guard name.utf8.count <= maxNameLength else {
            throw PackageProblem(reason: "a package name has at most \(maxNameLength) characters", fix: example)
        }
        guard name != "node_modules", name != "favicon.ico" else {
            throw PackageProblem(reason: "'\(name)' is a reserved name", fix: example)
        }
    }

    private static func checkNamePart(_ part: Substring, whole: String) throws(PackageProblem) {
        let bytes = Array(part.utf8)
        if bytes.contains(where: ASCIIBytes.isUpper) {
            let lower = ASCIIBytes.lowercased(whole)
            let valid = (try? checkName(lower)) != nil
            throw PackageProblem(reason: "npm package names are lower-case", fix: valid ? "'\(lower)'" : example)
        }
        for byte in bytes where !(ASCIIBytes.isLower(byte) || ASCIIBytes.isDigit(byte) || "._~-".utf8.contains(byte)) {
            let reason = byte == UInt8(ascii: " ")
                ? "spaces are only allowed inside a version range"
                : PackageEntry.characterReason(byte, in: "in a package name")
            throw PackageProblem(reason: reason, fix: example)
        }
        guard let first = bytes.first, first != UInt8(ascii: "."), first != UInt8(ascii: "_") else {
            throw PackageProblem(reason: "a package name must not start with '.' or '_'", fix: example)
        }
        guard !part.contains("..") else {
            throw PackageProblem(reason: "'..' is not allowed in a package name", fix: example)
        }
    }
}
