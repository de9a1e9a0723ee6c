/// Which of a container process's output streams a line came from.
public enum ContainerOutputStream: String, Sendable, Equatable {
    /// File descriptor 1.
    case stdout
    /// File descriptor 2.
    case stderr
}

/// One line of a foreground container's output, delivered as it is written (see
/// ``ContainerRuntime/run(id:bundle:onOutput:)``).
public struct ContainerOutputLine: Sendable, Equatable {
    /// The longest line delivered whole, in bytes; longer output is split into pieces of this size.
    public static let maxBytes = 16384

    /// The stream it was written to.
    public var stream: ContainerOutputStream
    /// The text without its line break (a trailing `\r` removed too), invalid UTF-8 repaired.
    public var text: String

    /// Creates a line.
    public init(stream: ContainerOutputStream, text: String) {
        self.stream = stream
        self.text = text
    }
}

/// Splits a byte stream into ``ContainerOutputLine``s: complete lines as they finish, the
/// unfinished rest on ``finish()``.
struct OutputLineSplitter {
    let stream: ContainerOutputStream
    private var partial: [UInt8] = []

    init(stream: ContainerOutputStream) {
        self.stream = stream
    }

    /// Adds a chunk and returns the lines it completed.
    mutating func append(_ bytes: some Sequence<UInt8>) -> [ContainerOutputLine] {
        var lines: [ContainerOutputLine] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                lines.append(take())
            } else {
                partial.append(byte)
                if partial.count >= ContainerOutputLine.maxBytes { lines.append(take()) }
            }
        }
        return lines
    }

    /// The unfinished last line, if any.
    mutating func finish() -> ContainerOutputLine? {
        partial.isEmpty ? nil : take()
    }

    private mutating func take() -> ContainerOutputLine {
        if partial.last == UInt8(ascii: "\r") { partial.removeLast() }
        let line = ContainerOutputLine(stream: stream, text: String(decoding: partial, as: UTF8.self))
        partial.removeAll(keepingCapacity: true)
        return line
    }
}
