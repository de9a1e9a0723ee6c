/// A command that parses its own declared parameters and then runs.
///
/// Mirrors swift-argument-parser: `configuration` declares the command, `init(from:)` reads
/// the parsed values, `validate()` checks combinations before anything is sent, and `run`
/// does the work.
protocol ParsableCommand: SendableMetatype {
    /// The command's name, abstract and parameters.
    static var configuration: CommandConfiguration { get }
    /// Reads the parsed values; throws `.usage` for a value of the wrong form.
    init(from arguments: ParsedArguments) throws(CLIFailure)
    /// Checks combinations of values; runs before `run`.
    func validate() throws(CLIFailure)
    /// Does the work; throws a `CLIFailure` to fail with a message and an exit code.
    func run(in context: CommandContext) async throws
}

extension ParsableCommand {
    func validate() throws(CLIFailure) {}
}
