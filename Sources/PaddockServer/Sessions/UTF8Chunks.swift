/// Decodes a byte stream that arrives in chunks as UTF-8 text, never splitting a character
/// across chunks: an incomplete sequence at the end of a chunk waits for the next one.
/// Invalid bytes become U+FFFD, as `String(decoding:as:)` does.
struct UTF8Chunks: Sendable {
    private var pending: [UInt8] = []

    /// The text of `bytes` plus what was held back, holding back an incomplete tail.
    mutating func decode(_ bytes: [UInt8]) -> String {
        var all = pending + bytes
        let keep = Self.incompleteTailLength(all)
        pending = Array(all.suffix(keep))
        all.removeLast(keep)
        return String(decoding: all, as: UTF8.self)
    }

    /// Whatever was held back, at the end of the stream.
    mutating func flush() -> String {
        defer { pending = [] }
        return String(decoding: pending, as: UTF8.self)
    }

    /// How many bytes at the end start a multi-byte sequence that is not complete yet.
    static func incompleteTailLength(_ bytes: [UInt8]) -> Int {
        // Look back at most 3 bytes for the lead byte of the last sequence.
        var index = bytes.count - 1
        var continuation = 0
        while index >= 0, continuation < 3, bytes[index] & 0xC0 == 0x80 {
            continuation += 1
            index -= 1
        }
        guard index >= 0 else { return 0 }
        let lead = bytes[index]
        let needed: Int
        switch lead {
        case 0xC2...0xDF: needed = 1
        case 0xE0...0xEF: needed = 2
        case 0xF0...0xF4: needed = 3
        default: return 0
        }
        return continuation < needed ? continuation + 1 : 0
    }
}
