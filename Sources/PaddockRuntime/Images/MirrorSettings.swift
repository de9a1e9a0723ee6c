import PaddockCore

/// The package sources of a server (server settings, immutable once the server runs): the Debian
/// mirror used for the base image and apt layers, the PyPI index for pip layers and the npm
/// registry for npm layers. Each is part of the keys of the images and layers built from it.
///
/// Every URL is validated in `init`: `http` or `https`, a host, printable ASCII without spaces
/// or quotes (the Debian mirror ends up in a `sources.list` line, so a space would be an
/// injection).
public struct MirrorSettings: Sendable, Hashable {
    /// The Debian archive, e.g. `http://deb.debian.org/debian`. Required.
    public let debian: String
    /// The PyPI simple index, e.g. `https://pypi.org/simple`. Required.
    public let pypiIndex: String
    /// The npm registry, e.g. `https://registry.npmjs.org/`. Required.
    public let npmRegistry: String

    /// Debian's own redirector, over HTTP (apt verifies signatures, and HTTP avoids depending
    /// on the CA bundle while the base image is being built).
    public static let defaultDebian = "http://deb.debian.org/debian"
    /// The public PyPI index.
    public static let defaultPypiIndex = "https://pypi.org/simple"
    /// The public npm registry.
    public static let defaultNpmRegistry = "https://registry.npmjs.org/"

    /// The public sources.
    public static let standard = try! MirrorSettings()

    /// Creates settings; throws `invalidArgument` naming the setting whose URL is unusable.
    public init(
        debian: String = defaultDebian,
        pypiIndex: String = defaultPypiIndex,
        npmRegistry: String = defaultNpmRegistry
    ) throws(PaddockError) {
        try Self.check(debian, param: "debian_mirror")
        try Self.check(pypiIndex, param: "pypi_index")
        try Self.check(npmRegistry, param: "npm_registry")
        self.debian = debian
        self.pypiIndex = pypiIndex
        self.npmRegistry = npmRegistry
    }

    /// Refuses anything but a plain `http(s)://host...` URL of printable ASCII.
    static func check(_ url: String, param: String) throws(PaddockError) {
        guard url.utf8.count <= 2048 else { throw .invalid(param, "the URL is longer than 2048 characters") }
        let forbidden: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\""), UInt8(ascii: "'"),
                                     UInt8(ascii: "\\"), UInt8(ascii: "`"), UInt8(ascii: "<"), UInt8(ascii: ">")]
        for byte in url.utf8 where byte < 0x21 || byte > 0x7e || forbidden.contains(byte) {
            throw .invalid(param, "'\(url)' contains a space, quote or non-printable character; write a URL such as 'https://mirror.example/debian'")
        }
        let lower = url.lowercased()
        let rest: Substring
        if lower.hasPrefix("http://") {
            rest = Substring(url).dropFirst(7)
        } else if lower.hasPrefix("https://") {
            rest = Substring(url).dropFirst(8)
        } else {
            throw .invalid(param, "'\(url)' is not an http or https URL; write a URL such as 'https://mirror.example/debian'")
        }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !host.isEmpty, !host.contains("@") else {
            throw .invalid(param, "'\(url)' has no host (or has credentials); write a URL such as 'https://mirror.example/debian'")
        }
    }
}
