/// One declared input of a command: a positional argument, an option that takes a value,
/// or a flag. Help text and parsing are both generated from these declarations.
struct Parameter: Sendable, Equatable {
    /// How a parameter appears on the command line.
    enum Kind: Sendable, Equatable {
        /// A positional argument, e.g. `NAME`.
        case argument(isOptional: Bool)
        /// `--name VALUE` or `--name=VALUE`; `isRepeating` allows it more than once.
        case option(isRepeating: Bool)
        /// `--name` on its own.
        case flag
        /// Every argument after `--`, kept as one list (the argv of a command to run), read
        /// with `arguments.values(name)`.
        case trailing
    }

    /// The key the command reads the value with; for options and flags also the long name
    /// without its leading dashes.
    let name: String
    /// The placeholder shown in help: `TEXT`, `PKG`, or the label of an argument (`ID|NAME`).
    let valueName: String
    /// How the parameter is written.
    let kind: Kind
    /// One sentence for the help screen.
    let help: String

    /// A positional argument read with `arguments.argument(name)`.
    static func argument(_ name: String, label: String, isOptional: Bool = false, help: String) -> Parameter {
        Parameter(name: name, valueName: label, kind: .argument(isOptional: isOptional), help: help)
    }

    /// An option taking a value, e.g. `.option("apt", value: "PKG", repeating: true, ...)`.
    static func option(_ name: String, value: String, repeating: Bool = false, help: String) -> Parameter {
        Parameter(name: name, valueName: value, kind: .option(isRepeating: repeating), help: help)
    }

    /// The arguments after `--`, e.g. `.trailing("command", label: "COMMAND [ARG]...", ...)`.
    static func trailing(_ name: String, label: String, help: String) -> Parameter {
        Parameter(name: name, valueName: label, kind: .trailing, help: help)
    }

    /// A flag that is either present or not.
    static func flag(_ name: String, help: String) -> Parameter {
        Parameter(name: name, valueName: "", kind: .flag, help: help)
    }

    /// `--json`: print the API's JSON instead of a table; shared by every command.
    static let json = Parameter.flag("json", help: "print the API's JSON response instead of text")

    /// Whether this is a positional argument (the arguments after `--` included).
    var isArgument: Bool {
        switch kind {
        case .argument, .trailing: true
        case .option, .flag: false
        }
    }

    /// The long spelling, `--name`.
    var longName: String { "--" + name }

    /// How the parameter is written in help: `--apt PKG`, `--json`, `NAME`.
    var synopsis: String {
        switch kind {
        case .argument: valueName
        case .option: "\(longName) \(valueName)"
        case .flag: longName
        case .trailing: "-- \(valueName)"
        }
    }

    /// How the parameter is written in a usage line: `[--apt PKG]...`, `[NAME]`, `ID|NAME`.
    var usageSynopsis: String {
        switch kind {
        case .argument(let isOptional): isOptional ? "[\(valueName)]" : valueName
        case .option(let isRepeating): "[\(synopsis)]" + (isRepeating ? "..." : "")
        case .flag: "[\(synopsis)]"
        case .trailing: synopsis
        }
    }
}
