import Foundation

/// Where a command's output goes: text for people and machines on one side, errors and
/// notes on the other; plus raw bytes (a command's output passed through exactly), standard
/// input, and whether standard error is a terminal (for live progress).
public struct Console: Sendable {
    /// Writes text to standard output (the text carries its own newlines).
    public var writeOutput: @Sendable (String) -> Void
    /// Writes text to standard error (the text carries its own newlines).
    public var writeError: @Sendable (String) -> Void
    /// Writes bytes to standard output unchanged (exec output, downloaded files).
    public var writeOutputBytes: @Sendable ([UInt8]) -> Void
    /// Writes bytes to standard error unchanged (exec output).
    public var writeErrorBytes: @Sendable ([UInt8]) -> Void
    /// Reads standard input to its end; blocks, so call it off the cooperative pool.
    public var readInput: @Sendable () throws -> [UInt8]
    /// Whether standard error is a terminal that understands cursor movement.
    public var errorIsTerminal: Bool

    /// Creates a console from two text writers; bytes are written through them as UTF-8
    /// (invalid sequences replaced), standard input is empty and standard error is no terminal.
    public init(writeOutput: @escaping @Sendable (String) -> Void,
                writeError: @escaping @Sendable (String) -> Void) {
        self.writeOutput = writeOutput
        self.writeError = writeError
        writeOutputBytes = { writeOutput(String(decoding: $0, as: UTF8.self)) }
        writeErrorBytes = { writeError(String(decoding: $0, as: UTF8.self)) }
        readInput = { [] }
        errorIsTerminal = false
    }

    /// Creates a console from every part.
    public init(writeOutput: @escaping @Sendable (String) -> Void,
                writeError: @escaping @Sendable (String) -> Void,
                writeOutputBytes: @escaping @Sendable ([UInt8]) -> Void,
                writeErrorBytes: @escaping @Sendable ([UInt8]) -> Void,
                readInput: @escaping @Sendable () throws -> [UInt8],
                errorIsTerminal: Bool) {
        self.writeOutput = writeOutput
        self.writeError = writeError
        self.writeOutputBytes = writeOutputBytes
        self.writeErrorBytes = writeErrorBytes
        self.readInput = readInput
        self.errorIsTerminal = errorIsTerminal
    }

    /// The process's standard output, standard error and standard input.
    public static let standard = Console(
        writeOutput: { try? FileHandle.standardOutput.write(contentsOf: Data($0.utf8)) },
        writeError: { try? FileHandle.standardError.write(contentsOf: Data($0.utf8)) },
        writeOutputBytes: { try? FileHandle.standardOutput.write(contentsOf: Data($0)) },
        writeErrorBytes: { try? FileHandle.standardError.write(contentsOf: Data($0)) },
        readInput: { [UInt8](try FileHandle.standardInput.readToEnd() ?? Data()) },
        errorIsTerminal: isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb")
}
