/// Turns `[String]` into an `Invocation` by walking the command tree.
///
/// Rules (the habits of swift-argument-parser): global options may appear anywhere before
/// `--`; `--name=value` and `--name value` are both accepted; a value that starts with `-`
/// must use the `=` form; `-h`/`--help` anywhere asks for help of the deepest command named;
/// a single-valued option given twice is an error rather than silently overridden.
struct CommandLineParser: Sendable {
    /// The root of the tree (`paddock`).
    let root: CommandNode
    /// Options every command accepts (`--url`, `--api-key`, `--data`).
    let globalParameters: [Parameter]

    /// Parses `arguments` (without argv[0]).
    func parse(_ arguments: [String]) throws(CommandLineError) -> Invocation {
        var path = [root]
        var globals = ParsedArguments(parameters: globalParameters)
        var index = 0

        // Walk groups until a runnable node is selected.
        while case .group = path.last!.action {
            let current = path.last!
            guard index < arguments.count else { return .help(path: path) }
            let token = arguments[index]
            index += 1
            if token == "-h" || token == "--help" {
                return .help(path: path)
            }
            if token.hasPrefix("-") && token != "-" {
                do throws(CLIFailure) {
                    var scanner = OptionScanner(arguments: arguments, index: index)
                    guard try scanner.consume(token, parameters: globalParameters, into: &globals) else {
                        throw CLIFailure.usage(unknownOption(token, candidates: globalParameters))
                    }
                    index = scanner.index
                } catch {
                    throw CommandLineError(failure: error, commandPath: path.map(\.name))
                }
                continue
            }
            guard let next = current.subcommand(named: token) else {
                let names = current.subcommands.map(\.name)
                var message = "unknown command '\(token)' for '\(path.map(\.name).joined(separator: " "))'"
                if let guess = closest(to: token, among: names) { message += "; did you mean '\(guess)'?" }
                throw CommandLineError(failure: .usage(message), commandPath: path.map(\.name))
            }
            path.append(next)
        }

        let remaining = Array(arguments[index...])
        let leaf = path.last!
        let optionsEnd = remaining.firstIndex(of: "--") ?? remaining.endIndex
        if remaining[..<optionsEnd].contains(where: { $0 == "-h" || $0 == "--help" }) {
            return .help(path: path)
        }
        if case .external = leaf.action {
            return .run(path: path, arguments: ParsedArguments(parameters: []), globals: globals)
        }
        do {
            let values = try parseLeaf(leaf.configuration.parameters, remaining, globals: &globals)
            return .run(path: path, arguments: values, globals: globals)
        } catch {
            throw CommandLineError(failure: error, commandPath: path.map(\.name))
        }
    }

    private func parseLeaf(_ parameters: [Parameter], _ arguments: [String],
                           globals: inout ParsedArguments) throws(CLIFailure) -> ParsedArguments {
        var values = ParsedArguments(parameters: parameters)
        var positionals: [String] = []
        let trailing = parameters.first { $0.kind == .trailing }
        var scanner = OptionScanner(arguments: arguments, index: 0)
        var optionsEnded = false
        while scanner.index < arguments.count {
            let token = arguments[scanner.index]
            scanner.index += 1
            if optionsEnded, let trailing {
                values.append(token, to: trailing.name)
            } else if optionsEnded || token == "-" || !token.hasPrefix("-") {
                positionals.append(token)
            } else if token == "--" {
                optionsEnded = true
            } else if try scanner.consume(token, parameters: parameters, into: &values) {
                continue
            } else if try scanner.consume(token, parameters: globalParameters, into: &globals) {
                continue
            } else {
                throw .usage(unknownOption(token, candidates: parameters + globalParameters))
            }
        }

        let declaredArguments = parameters.filter { $0.kind != .trailing && $0.isArgument }
        for (position, value) in positionals.enumerated() {
            guard position < declaredArguments.count else {
                if let trailing {
                    throw .usage("unexpected argument '\(value)'; put \(trailing.valueName) after '--'")
                }
                throw .usage("unexpected argument '\(value)'")
            }
            values.set(argument: declaredArguments[position].name, to: value)
        }
        for parameter in declaredArguments.dropFirst(positionals.count) {
            if case .argument(isOptional: false) = parameter.kind {
                throw .usage("missing argument \(parameter.valueName)")
            }
        }
        return values
    }

    private func unknownOption(_ token: String, candidates: [Parameter]) -> String {
        let name = String(token.split(separator: "=", maxSplits: 1).first ?? Substring(token))
        var message = "unknown option '\(name)'"
        let names = candidates.filter { !$0.isArgument }.map(\.longName) + ["--help"]
        if let guess = closest(to: name, among: names) { message += "; did you mean '\(guess)'?" }
        return message
    }
}

/// Reads one option token (and possibly its value from the next token).
private struct OptionScanner {
    let arguments: [String]
    var index: Int

    /// Consumes `token` if it names one of `parameters`; returns false when it does not.
    mutating func consume(_ token: String, parameters: [Parameter],
                          into values: inout ParsedArguments) throws(CLIFailure) -> Bool {
        let parts = token.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let spelled = String(parts[0])
        let inlineValue = parts.count == 2 ? String(parts[1]) : nil
        guard spelled.hasPrefix("--"),
              let parameter = parameters.first(where: { !$0.isArgument && $0.longName == spelled }) else {
            return false
        }
        switch parameter.kind {
        case .argument, .trailing:
            return false
        case .flag:
            if inlineValue != nil { throw .usage("\(spelled) does not take a value") }
            values.set(flag: parameter.name)
        case .option(let isRepeating):
            let value: String
            if let inlineValue {
                value = inlineValue
            } else if index < arguments.count, !arguments[index].hasPrefix("-") || arguments[index] == "-" {
                value = arguments[index]
                index += 1
            } else {
                throw .usage("\(spelled) needs a value (\(parameter.valueName)); write \(spelled)=VALUE for a value that starts with '-'")
            }
            if !isRepeating && values.has(parameter.name) {
                throw .usage("\(spelled) is given more than once; give it once")
            }
            values.append(value, to: parameter.name)
        }
        return true
    }
}
