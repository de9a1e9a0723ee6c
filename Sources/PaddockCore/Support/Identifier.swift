import Foundation
import Synchronization

/// Makes object ids: a type prefix plus a 26-character ULID (Crockford base32), so ids of one
/// kind sort by creation time as plain strings. Monotonic within a process: two ids made in the
/// same millisecond still sort in the order they were made.
///
/// Ids name objects; they are not secrets (another account's id is a 404 either way), so the
/// random part comes from a fast generator seeded once from the system's randomness instead of
/// a system call per id.
public final class IdentifierGenerator: Sendable {
    private struct State {
        var lastMillis: UInt64 = 0
        var random: (UInt16, UInt64) = (0, 0)
        var rng = SplitMix64(seed: UInt64.random(in: 0...UInt64.max))
    }
    private let state = Mutex(State())

    /// A generator; one per process is enough (`IdentifierGenerator.shared`).
    public init() {}

    /// The process-wide generator.
    public static let shared = IdentifierGenerator()

    /// A new id such as `env_01JEX6Q0W5M3T9ZK8B7N2C4D6F`.
    public func make(_ prefix: IdentifierPrefix, now: Date = Date()) -> String {
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let (time, hi, lo) = state.withLock { s -> (UInt64, UInt16, UInt64) in
            if millis > s.lastMillis {
                s.lastMillis = millis
                s.random = (UInt16(truncatingIfNeeded: s.rng.next()), s.rng.next())
            } else {
                // Same (or earlier) millisecond: keep the clock, bump the random part.
                let (lo, overflow) = s.random.1.addingReportingOverflow(1)
                s.random = (overflow ? s.random.0 &+ 1 : s.random.0, lo)
            }
            return (s.lastMillis, s.random.0, s.random.1)
        }
        return prefix.rawValue + "_" + Self.encode(time: time, randomHigh: hi, randomLow: lo)
    }

    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// Crockford base32 of 48 bits of time + 80 bits of randomness, 26 characters.
    static func encode(time: UInt64, randomHigh: UInt16, randomLow: UInt64) -> String {
        var out = [UInt8](repeating: 0, count: 26)
        // 128-bit value: time(48) | hi(16) | lo(64). Emit 5 bits at a time from the top.
        let high = (time << 16) | UInt64(randomHigh)  // upper 64 bits
        let low = randomLow                          // lower 64 bits
        for i in 0..<26 {
            let shift = 125 - 5 * i  // bit offset of this character's lowest bit (first char holds 3 bits)
            let v: UInt64
            if shift >= 64 {
                v = high >> UInt64(shift - 64)
            } else if shift + 5 <= 64 {
                v = low >> UInt64(shift)
            } else {
                v = (low >> UInt64(shift)) | (high << UInt64(64 - shift))
            }
            out[i] = alphabet[Int(v & 0x1F)]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `text` looks like an id with this prefix.
    public static func isValid(_ text: String, prefix: IdentifierPrefix) -> Bool {
        let utf8 = Array(text.utf8)
        let p = Array((prefix.rawValue + "_").utf8)
        guard utf8.count == p.count + 26, utf8.starts(with: p) else { return false }
        return utf8[p.count...].allSatisfy { alphabet.contains($0) }
    }
}

/// The type prefixes of Paddock's ids.
public enum IdentifierPrefix: String, Sendable, CaseIterable {
    case environment = "env"
    case account = "acct"
    case apiKey = "key"
    case session = "sess"
    case request = "req"
}

/// SplitMix64: a small, fast, well-distributed generator (not for secrets); also the seeded
/// generator of the fuzz tests, so their runs are reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
