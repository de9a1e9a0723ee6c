/// What a command declares about itself: name, one-line abstract, parameters, and an
/// optional longer discussion printed at the end of its help.
struct CommandConfiguration: Sendable {
    /// The word that selects the command, e.g. `create`.
    var name: String
    /// One line for the parent's subcommand list and this command's overview.
    var abstract: String
    /// Positional arguments, options and flags, in the order help lists them.
    var parameters: [Parameter] = []
    /// Extra paragraphs for the end of the help screen.
    var discussion: String? = nil
}
