/// API keys: `pdk_` followed by 43 base62 characters (about 256 bits of randomness). Only the
/// SHA-256 hash is ever stored; the key itself is shown once, when it is made.
public enum APIKey {
    /// The prefix every key starts with.
    public static let prefix = "pdk_"
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// A fresh random key.
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        let body = (0..<43).map { _ in alphabet[Int(rng.next(upperBound: UInt32(alphabet.count)))] }
        return prefix + String(decoding: body, as: UTF8.self)
    }

    /// Whether `text` has the shape of a key (checked before hashing, so junk is refused cheaply).
    public static func isWellFormed(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.count == prefix.utf8.count + 43, utf8.starts(with: prefix.utf8) else { return false }
        return utf8.dropFirst(prefix.utf8.count).allSatisfy { alphabet.contains($0) }
    }

    /// The hash under which a key is stored and looked up.
    public static func hash(_ key: String) -> String { SHA256.hex(key.utf8) }

    /// Compares two strings in time that depends only on their lengths.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
