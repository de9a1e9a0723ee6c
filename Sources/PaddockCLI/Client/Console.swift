import Foundation

/// Where a command's output goes: text for people and machines on one side, errors and
/// notes on the other.
public struct Console: Sendable {
    /// Writes text to standard output (the text carries its own newlines).
    public var writeOutput: @Sendable (String) -> Void
    /// Writes text to standard error (the text carries its own newlines).
    public var writeError: @Sendable (String) -> Void

    /// Creates a console from two writers.
    public init(writeOutput: @escaping @Sendable (String) -> Void,
                writeError: @escaping @Sendable (String) -> Void) {
        self.writeOutput = writeOutput
        self.writeError = writeError
    }

    /// The process's standard output and standard error.
    public static let standard = Console(
        writeOutput: { try? FileHandle.standardOutput.write(contentsOf: Data($0.utf8)) },
        writeError: { try? FileHandle.standardError.write(contentsOf: Data($0.utf8)) })
}
