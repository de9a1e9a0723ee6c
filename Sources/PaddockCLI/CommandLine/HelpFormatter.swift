/// Builds help screens from command declarations, in the layout of swift-argument-parser:
/// OVERVIEW, USAGE, ARGUMENTS, OPTIONS (or SUBCOMMANDS), GLOBAL OPTIONS, then the discussion.
struct HelpFormatter: Sendable {
    /// Options every command accepts, listed on every screen.
    let globalParameters: [Parameter]
    /// Lines are wrapped to this many columns.
    var width = 80

    /// The help entry every command has.
    static let helpEntry = (label: "-h, --help", help: "show this help")

    /// The full help screen of the last command of `path`.
    func help(for path: [CommandNode]) -> String {
        let command = path.last!
        let fullName = path.map(\.name).joined(separator: " ")
        let parameters = command.configuration.parameters
        let isGroup = !command.subcommands.isEmpty

        // One label column for the whole screen so sections line up.
        var labels = parameters.map(\.synopsis) + globalParameters.map(\.synopsis)
            + command.subcommands.map(\.name) + [Self.helpEntry.label]
        labels = labels.filter { $0.count <= 28 }
        let column = 2 + (labels.map(\.count).max() ?? 0) + 2

        var sections: [String] = []
        sections.append("OVERVIEW: \(command.configuration.abstract)")

        if isGroup {
            sections.append("USAGE: \(fullName) <subcommand>")
        } else {
            // Arguments, options, then what follows `--` (options must come before it).
            let tokens = parameters.filter { $0.isArgument && $0.kind != .trailing }.map(\.usageSynopsis)
                + parameters.filter { !$0.isArgument }.map(\.usageSynopsis)
                + parameters.filter { $0.kind == .trailing }.map(\.usageSynopsis)
            sections.append(wrapTokens(prefix: "USAGE: \(fullName)", tokens: tokens))
        }

        let arguments = parameters.filter(\.isArgument)
        if !arguments.isEmpty {
            sections.append(section("ARGUMENTS:", arguments.map { ($0.synopsis, $0.help) }, column: column))
        }
        if isGroup {
            sections.append(section("SUBCOMMANDS:", command.subcommands.map { ($0.name, $0.configuration.abstract) },
                                    column: column))
        }
        let options = parameters.filter { !$0.isArgument }.map { ($0.synopsis, $0.help) }
        sections.append(section("OPTIONS:", options + [Self.helpEntry], column: column))
        sections.append(section("GLOBAL OPTIONS:", globalParameters.map { ($0.synopsis, $0.help) }, column: column))

        if let discussion = command.configuration.discussion {
            sections.append(discussion)
        }
        if isGroup {
            sections.append("See '\(fullName) <subcommand> --help' for the options of each subcommand.")
        }
        return sections.joined(separator: "\n\n") + "\n"
    }

    /// A titled two-column list; a label wider than the column puts its help on the next line.
    private func section(_ title: String, _ entries: [(String, String)], column: Int) -> String {
        var lines = [title]
        for (label, help) in entries {
            let helpLines = wrap(help, width: width - column)
            let indent = String(repeating: " ", count: column)
            let head = "  " + label
            if head.count + 2 <= column {
                lines.append(head.paddedRight(to: column) + (helpLines.first ?? ""))
            } else {
                lines.append(head)
                lines.append(indent + (helpLines.first ?? ""))
            }
            lines += helpLines.dropFirst().map { indent + $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// `prefix` followed by `tokens`, wrapped with continuation lines aligned after the prefix.
    private func wrapTokens(prefix: String, tokens: [String]) -> String {
        let indent = String(repeating: " ", count: prefix.count + 1)
        var lines: [String] = []
        var line = prefix
        for token in tokens {
            if line.count + 1 + token.count > width && line.count > indent.count {
                lines.append(line)
                line = indent + token
            } else {
                line += " " + token
            }
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}
