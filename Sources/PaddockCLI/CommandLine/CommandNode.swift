/// One node of the command tree: a group of subcommands, a runnable command, or a command
/// that is listed in help but dispatched outside this library (`serve`).
struct CommandNode: Sendable {
    /// What happens when the node is selected.
    enum Action: Sendable {
        /// Selects one of `subcommands`; on its own it prints its help.
        case group
        /// Parses the node's parameters and runs.
        case run(@Sendable (ParsedArguments, CommandContext) async throws -> Void)
        /// Handled by the `paddock` executable, not by this library.
        case external
    }

    /// The node's declaration.
    let configuration: CommandConfiguration
    /// Children of a group, in help order.
    let subcommands: [CommandNode]
    /// What selecting the node does.
    let action: Action

    /// The node's name.
    var name: String { configuration.name }

    /// A group of subcommands.
    static func group(_ name: String, abstract: String, discussion: String? = nil,
                      _ subcommands: [CommandNode]) -> CommandNode {
        CommandNode(configuration: CommandConfiguration(name: name, abstract: abstract, discussion: discussion),
                    subcommands: subcommands, action: .group)
    }

    /// A runnable command declared by `type`.
    static func command<Command: ParsableCommand>(_ type: Command.Type) -> CommandNode {
        CommandNode(configuration: Command.configuration, subcommands: [], action: .run { arguments, context in
            let command = try Command(from: arguments)
            try command.validate()
            try await command.run(in: context)
        })
    }

    /// A command listed in help but run by the `paddock` executable itself.
    static func external(_ name: String, abstract: String) -> CommandNode {
        CommandNode(configuration: CommandConfiguration(name: name, abstract: abstract),
                    subcommands: [], action: .external)
    }

    /// The direct subcommand called `name`.
    func subcommand(named name: String) -> CommandNode? {
        subcommands.first { $0.name == name }
    }
}
