/// What the command line asks for once parsed.
enum Invocation: Sendable {
    /// Run the last node of `path` with these values.
    case run(path: [CommandNode], arguments: ParsedArguments, globals: ParsedArguments)
    /// Print the help of the last node of `path`.
    case help(path: [CommandNode])
}

/// A usage failure together with the command whose help the user should read.
struct CommandLineError: Error, Sendable {
    /// The failure (always `.usage` from the parser).
    let failure: CLIFailure
    /// Command names from the root, e.g. `["paddock", "env", "create"]`.
    let commandPath: [String]
}
