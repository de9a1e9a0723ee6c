import PaddockCore

/// The content address of a base image or a layer: 64 lower-case hex digits of a SHA-256.
/// Safe to use as a directory name (validated in `init`). Immutable.
public struct LayerKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 64 hex digits.
    public let hex: String

    /// Accepts exactly 64 lower-case hex digits, otherwise `nil`.
    public init?(hex: String) {
        guard hex.utf8.count == 64,
              hex.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
        else { return nil }
        self.hex = hex
    }

    /// The first 12 digits, for logs and messages.
    public var short: String { String(hex.prefix(12)) }

    /// The full hex digits.
    public var description: String { hex }

    /// Orders keys by their hex digits (a stable tie-break, nothing more).
    public static func < (lhs: LayerKey, rhs: LayerKey) -> Bool { lhs.hex < rhs.hex }

    /// The version of the key derivation and of the install commands it stands for; bump it when
    /// `LayerPlan` changes what a layer contains so that old layers are not reused.
    public static let derivationVersion = "paddock-layer-v1"

    /// The key of a layer: `sha256(version, parent key, manager, mirror settings, entries in order)`.
    /// Each field ends with a NUL byte and the two lists are preceded by their counts, so that no
    /// two different inputs produce the same byte string (entries and mirrors contain no NUL).
    public static func derive(parent: LayerKey, manager: String, mirrors: [String], entries: [String]) -> LayerKey {
        var bytes: [UInt8] = []
        func field(_ text: String) {
            bytes.append(contentsOf: text.utf8)
            bytes.append(0)
        }
        field(derivationVersion)
        field(parent.hex)
        field(manager)
        field("mirrors:\(mirrors.count)")
        mirrors.forEach(field)
        field("entries:\(entries.count)")
        entries.forEach(field)
        return LayerKey(digestOf: bytes)
    }

    /// The key whose digits are the SHA-256 of `bytes`.
    public init(digestOf bytes: some Collection<UInt8>) {
        self.hex = SHA256.hex(bytes)
    }
}
