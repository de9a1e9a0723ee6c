/// One entry of `config.packages.apt`: a Debian package name (`^[a-z0-9][a-z0-9+.-]+$`),
/// optionally pinned as `name=version` (`jq=1.6-2.1`).
///
/// Stricter than Debian policy in one place: a name may not end in `-`, because
/// `apt-get install name-` removes `name` instead of installing anything.
public struct AptPackage: Sendable, Hashable, CustomStringConvertible {
    /// The entry as stored and passed to `apt-get install` as one argument, e.g. `jq=1.6-2.1`.
    public let spec: String
    /// The package name, e.g. `jq`.
    public let name: String
    /// The exact version asked for with `name=version`, or nil for the repository's version.
    public let pinnedVersion: String?

    /// Parses one entry; errors name `param` (e.g. `config.packages.apt[3]`) and the fix.
    public static func parse(_ text: String, param: String) throws(PaddockError) -> AptPackage {
        do {
            return try parseEntry(text)
        } catch {
            throw PackageEntry.error(text, kind: "an apt package", param: param, error)
        }
    }

    /// The spec, e.g. `jq=1.6-2.1`.
    public var description: String { spec }

    private init(spec: String, name: String, pinnedVersion: String?) {
        self.spec = spec
        self.name = name
        self.pinnedVersion = pinnedVersion
    }

    private static func parseEntry(_ text: String) throws(PackageProblem) -> AptPackage {
        try PackageEntry.checkCommon(text, example: "jq")
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        try checkName(name)
        guard parts.count == 2 else { return AptPackage(spec: text, name: name, pinnedVersion: nil) }
        let version = String(parts[1])
        try checkVersion(version, name: name)
        return AptPackage(spec: text, name: name, pinnedVersion: version)
    }

    private static func checkName(_ name: String) throws(PackageProblem) {
        let example = "a package name such as 'jq'"
        let bytes = Array(name.utf8)
        guard let first = bytes.first else {
            throw PackageProblem(reason: "the package name before '=' is empty", fix: example)
        }
        if bytes.contains(where: ASCIIBytes.isUpper) {
            let lower = ASCIIBytes.lowercased(name)
            let valid = (try? checkName(lower)) != nil
            throw PackageProblem(reason: "package names are lower-case", fix: valid ? "'\(lower)'" : example)
        }
        for byte in bytes where !isNameByte(byte) {
            let reason: String = switch byte {
            case UInt8(ascii: "/"): "target releases ('jq/bookworm') are not allowed"
            case UInt8(ascii: ":"): "architecture qualifiers ('jq:amd64') are not allowed"
            default: PackageEntry.characterReason(byte, in: "in a package name")
            }
            throw PackageProblem(reason: reason, fix: byte == UInt8(ascii: " ") ? "one package per entry, such as 'jq'" : example)
        }
        guard ASCIIBytes.isLower(first) || ASCIIBytes.isDigit(first) else {
            throw PackageProblem(reason: "a package name starts with a letter or digit", fix: example)
        }
        guard bytes.count >= 2 else {
            throw PackageProblem(reason: "a package name has at least two characters", fix: example)
        }
        guard bytes.last != UInt8(ascii: "-") else {
            throw PackageProblem(reason: "a trailing '-' would make apt remove the package", fix: example)
        }
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        ASCIIBytes.isLower(byte) || ASCIIBytes.isDigit(byte)
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
    }

    private static func checkVersion(_ version: String, name: String) throws(PackageProblem) {
        let fix = "'\(name)' or a version such as '\(name)=1.0-1'"
        guard let first = version.utf8.first else {
            throw PackageProblem(reason: "the version after '=' is empty", fix: fix)
        }
        for byte in version.utf8 where !(ASCIIBytes.isAlphanumeric(byte) || ".+~:-".utf8.contains(byte)) {
            throw PackageProblem(reason: PackageEntry.characterReason(byte, in: "in a version"), fix: fix)
        }
        guard ASCIIBytes.isDigit(first) else {
            throw PackageProblem(reason: "a Debian version starts with a digit", fix: fix)
        }
    }
}
