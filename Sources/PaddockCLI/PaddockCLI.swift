import Foundation

/// The `paddock` command-line client: environments, sessions, commands and files in
/// sessions, the image cache, accounts and API keys over the HTTP API.
///
/// Exit codes: 0 success, 1 the API refused or the server could not be reached, 2 the
/// command line is wrong; `exec` and `run` exit with the code of the command they ran.
/// Errors are one line on stderr starting with `error: `.
public enum PaddockCLI {
    /// The version `paddock --version` prints.
    public static let version = "0.1.0"

    /// Runs the client with the process's environment, stdout/stderr and the network.
    ///
    /// - Parameter arguments: the command line without argv[0], e.g. `["env", "list"]`.
    /// - Returns: the exit code.
    public static func main(_ arguments: [String]) async -> Int32 {
        await run(arguments, environment: ProcessInfo.processInfo.environment, console: .standard,
                  transport: { URLSessionTransport(baseURL: $0) }, interrupts: .process)
    }

    /// Runs the client with an injected environment, console and transport (for tests and
    /// embedding).
    ///
    /// - Parameters:
    ///   - arguments: the command line without argv[0].
    ///   - environment: the variables `PADDOCK_URL`, `PADDOCK_API_KEY`, `PADDOCK_DATA` are read from.
    ///   - console: where output and errors go.
    ///   - transport: makes the transport for the resolved base URL.
    ///   - interrupts: Ctrl-C and termination requests, for commands that clean up first.
    /// - Returns: the exit code.
    public static func run(_ arguments: [String], environment: [String: String], console: Console,
                           transport: @escaping @Sendable (String) -> any APITransport,
                           interrupts: Interrupts = .none) async -> Int32 {
        if arguments == ["--version"] || arguments == ["version"] {
            console.writeOutput("paddock \(version)\n")
            return 0
        }
        // `paddock help env create` is `paddock env create --help`.
        let arguments = arguments.first == "help" ? Array(arguments.dropFirst()) + ["--help"] : arguments
        let invocation: Invocation
        do {
            invocation = try CommandTree.parser.parse(arguments)
        } catch {
            report(error.failure, commandPath: error.commandPath, console: console)
            return error.failure.exitCode
        }

        switch invocation {
        case .help(let path):
            console.writeOutput(CommandTree.helpFormatter.help(for: path))
            return 0
        case .run(let path, let values, let globals):
            let commandPath = path.map(\.name)
            guard case .run(let action) = path.last!.action else {
                let failure = CLIFailure.usage("'\(commandPath.joined(separator: " "))' is run by the paddock executable itself")
                report(failure, commandPath: commandPath, console: console)
                return failure.exitCode
            }
            do {
                let settings = try ConnectionSettings(globals: globals, environment: environment)
                let context = CommandContext(commandPath: commandPath, settings: settings, console: console,
                                             makeTransport: transport, interrupts: interrupts)
                try await action(values, context)
                return 0
            } catch let exit as ExecExit {
                if let message = exit.message { console.writeError("error: \(message)\n") }
                return exit.code
            } catch let failure as CLIFailure {
                report(failure, commandPath: commandPath, console: console)
                return failure.exitCode
            } catch {
                let failure = CLIFailure.failed(String(describing: error))
                report(failure, commandPath: commandPath, console: console)
                return failure.exitCode
            }
        }
    }

    /// Writes `error: …` and, for usage errors, where to read the command's help.
    static func report(_ failure: CLIFailure, commandPath: [String], console: Console) {
        var text = "error: \(failure.message)\n"
        if case .usage = failure {
            text += "see '\(commandPath.joined(separator: " ")) --help'\n"
        }
        console.writeError(text)
    }
}
