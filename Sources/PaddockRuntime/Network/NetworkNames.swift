import PaddockCore

/// The names Paddock gives to what it makes on the host: one nftables table, network
/// namespaces `<namespacePrefix><9 hex>` and host-side veths `<interfacePrefix>-<9 hex>`.
/// Leftover clean-up only ever touches objects whose names have exactly this shape, and the
/// `-` after the interface prefix keeps one naming's interface wildcard (`pd-*`) from matching
/// another's interfaces (`pdabc-…`), so two configurations with different names (a server and
/// a test run) never touch each other's.
public struct NetworkNames: Sendable, Equatable {
    /// The `inet` table holding every Paddock rule.
    public let table: String
    /// The first letters of every host-side veth name (1–5 lower-case letters).
    public let interfacePrefix: String
    /// The first characters of every network namespace name under `/run/netns`.
    public let namespacePrefix: String

    /// What a server uses: table `paddock`, veths `pd-…`, namespaces `paddock-…`.
    public static let standard = try! NetworkNames(table: "paddock", interfacePrefix: "pd", namespacePrefix: "paddock-")

    /// The number of hex digits naming a session in interface and namespace names (an
    /// interface name has at most 15 characters: 5 of prefix, the `-`, these 9).
    static let digestLength = 9
    /// The prefix of every per-session chain.
    static let chainPrefix = "s_"

    /// Creates a naming; `invalidArgument` for names nft or the kernel would not take.
    public init(table: String, interfacePrefix: String, namespacePrefix: String) throws(PaddockError) {
        guard let first = table.utf8.first, Self.isLower(first), table.utf8.count <= 32,
              table.utf8.allSatisfy({ Self.isLower($0) || Self.isDigit($0) || $0 == UInt8(ascii: "_") }) else {
            throw .invalid("table", "must be 1-32 lower-case letters, digits or '_', starting with a letter")
        }
        guard (1...5).contains(interfacePrefix.utf8.count), interfacePrefix.utf8.allSatisfy(Self.isLower) else {
            throw .invalid("interface_prefix", "must be 1-5 lower-case letters (interface names have at most 15 characters)")
        }
        guard (1...32).contains(namespacePrefix.utf8.count), namespacePrefix.utf8.first.map(Self.isLower) == true,
              namespacePrefix.utf8.allSatisfy({ Self.isLower($0) || Self.isDigit($0) || $0 == UInt8(ascii: "-") }) else {
            throw .invalid("namespace_prefix", "must be 1-32 lower-case letters, digits or '-', starting with a letter")
        }
        self.table = table
        self.interfacePrefix = interfacePrefix
        self.namespacePrefix = namespacePrefix
    }

    /// The names of the objects of session `id` (an id valid for ``SessionLayout``).
    func session(_ id: String) -> SessionNetworkNames {
        let digest = SHA256.digest(Array(id.utf8)).prefix((Self.digestLength + 1) / 2)
        let hex = String(digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined().prefix(Self.digestLength))
        let chain = Self.chainPrefix + String(decoding: id.utf8.map { byte in
            Self.isLower(byte) || Self.isDigit(byte) || (0x41...0x5A).contains(byte) ? byte : UInt8(ascii: "_")
        }, as: UTF8.self)
        return SessionNetworkNames(namespace: namespacePrefix + hex, hostInterface: interfacePrefix + "-" + hex, chain: chain)
    }

    /// Whether `name` is a namespace name this naming makes (prefix + 9 hex digits).
    func isNamespace(_ name: String) -> Bool { Self.hasDigestSuffix(name, after: namespacePrefix) }

    /// Whether `name` is a host-side interface name this naming makes (prefix, `-`, 9 hex digits).
    func isHostInterface(_ name: String) -> Bool { Self.hasDigestSuffix(name, after: interfacePrefix + "-") }

    /// Whether `name` is a per-session chain name.
    func isSessionChain(_ name: String) -> Bool {
        name.hasPrefix(Self.chainPrefix) && name.utf8.count > Self.chainPrefix.utf8.count
    }

    /// The nft wildcard matching every host-side interface of this naming and no other's, e.g. `pd-*`.
    var interfaceWildcard: String { interfacePrefix + "-*" }

    private static func hasDigestSuffix(_ name: String, after prefix: String) -> Bool {
        guard name.hasPrefix(prefix) else { return false }
        let rest = name.utf8.dropFirst(prefix.utf8.count)
        return rest.count == digestLength && rest.allSatisfy { isDigit($0) || (0x61...0x66).contains($0) }
    }

    private static func isLower(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) }
    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
}

/// The host objects of one session.
struct SessionNetworkNames: Sendable, Equatable {
    /// The network namespace (a file under `/run/netns`).
    let namespace: String
    /// The host end of the veth pair; the other end is `eth0` inside the namespace.
    let hostInterface: String
    /// The session's chain in the Paddock table.
    let chain: String

    /// Where the namespace is bound.
    var namespacePath: String { SessionLinks.namespaceDirectory + "/" + namespace }
}
