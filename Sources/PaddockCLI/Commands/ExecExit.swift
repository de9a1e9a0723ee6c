/// A command that ran and should end `paddock` with its own exit code rather than the
/// CLI's 0/1/2: `exec` and `run` exit with the code of the program they ran.
struct ExecExit: Error, Sendable, Equatable {
    /// The process exit code, 0–255.
    var code: Int32
    /// A line for standard error after `error: ` (a timeout, a kill), if any.
    var message: String?
}
