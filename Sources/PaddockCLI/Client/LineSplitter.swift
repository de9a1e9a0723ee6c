/// Reassembles lines from pieces of a byte stream that may end anywhere (NDJSON events).
struct LineSplitter: Sendable {
    /// The bytes after the last newline seen.
    private var pending: [UInt8] = []

    /// The complete lines `piece` finishes, without their `\n` (and without a `\r` before it).
    mutating func append(_ piece: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = piece.startIndex
        while let newline = piece[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var line = pending + piece[start..<newline]
            pending.removeAll(keepingCapacity: true)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            lines.append(line)
            start = newline + 1
        }
        pending += piece[start...]
        return lines
    }

    /// What is left after the stream ended without a final newline, if anything.
    mutating func finish() -> [UInt8]? {
        defer { pending = [] }
        return pending.isEmpty ? nil : pending
    }
}
