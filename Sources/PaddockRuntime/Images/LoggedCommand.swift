import Foundation
import PaddockCore

/// The last lines of a build's output, kept in bounded memory however long the build talks.
struct LogTail: Sendable {
    /// How many complete lines are kept.
    let maxLines: Int
    /// Longer lines are cut to this many bytes.
    static let maxLineBytes = 4096
    private var lines: [String] = []
    private var partial: [UInt8] = []

    init(maxLines: Int) {
        self.maxLines = max(1, maxLines)
    }

    /// Adds a chunk of output; lines may span chunks.
    mutating func append(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                finishLine()
            } else if partial.count < Self.maxLineBytes {
                partial.append(byte)
            }
        }
    }

    private mutating func finishLine() {
        var line = partial
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        lines.append(String(decoding: line, as: UTF8.self))
        partial.removeAll(keepingCapacity: true)
        if lines.count >= maxLines * 2 { lines.removeFirst(lines.count - maxLines) }
    }

    /// The kept lines (plus an unfinished last line), oldest first, joined by newlines.
    var text: String {
        var all = lines
        if !partial.isEmpty { all.append(String(decoding: partial, as: UTF8.self)) }
        return all.suffix(maxLines).joined(separator: "\n")
    }
}

/// Runs one external tool from an argv array (never a shell string) with stdin from /dev/null and
/// stdout and stderr merged into a bounded `LogTail`. The blocking wait happens on a dedicated
/// thread, not on the cooperative pool, because builds take minutes.
enum LoggedCommand {
    /// How a finished command ended.
    struct Outcome: Sendable {
        /// The exit status, or 128 + the signal number if it was killed.
        var status: Int32
        /// The last lines of its output.
        var log: String
    }

    /// Runs `argv` (the first element is looked up in `PATH` unless it contains a `/`).
    static func run(_ argv: [String], environment: [String: String], tailLines: Int = 200) async throws(PaddockError) -> Outcome {
        guard let tool = argv.first, let executable = resolve(tool, path: environment["PATH"]) else {
            throw PaddockError(.internal, "\(argv.first ?? "(empty argv)") is not installed or not on PATH")
        }
        let result: Result<Outcome, PaddockError> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: runBlocking(executable: executable, argv: argv,
                                                           environment: environment, tailLines: tailLines))
            }
        }
        return try result.get()
    }

    private static func runBlocking(executable: String, argv: [String], environment: [String: String],
                                    tailLines: Int) -> Result<Outcome, PaddockError> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(argv.dropFirst())
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        do {
            try process.run()
        } catch {
            return .failure(PaddockError(.internal, "cannot start \(executable): \(error)"))
        }
        // Foundation closes the parent's write end after launching, so EOF comes when the tool
        // (and anything it left holding the pipe) exits.
        var tail = LogTail(maxLines: tailLines)
        // read(2) directly: FileHandle's reads stop the process with a fatal error when a signal
        // interrupts them (EINTR); this retries.
        let fd = output.fileHandleForReading.fileDescriptor
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            tail.append(Data(buffer[0..<count]))
        }
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal
            ? 128 + process.terminationStatus : process.terminationStatus
        return .success(Outcome(status: status, log: tail.text))
    }

    /// The absolute path of `tool`: itself if it contains a `/`, else the first executable match
    /// in `path` (or the standard system directories).
    static func resolve(_ tool: String, path: String?) -> String? {
        if tool.contains("/") { return FileManager.default.isExecutableFile(atPath: tool) ? tool : nil }
        let directories = (path ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").split(separator: ":")
        for directory in directories where !directory.isEmpty {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
