import PaddockJSON

/// What a running command can use: the connection settings, a way to make API clients,
/// and the console.
struct CommandContext: Sendable {
    /// Command names from the root, e.g. `["paddock", "env", "create"]`.
    let commandPath: [String]
    /// Server address and key sources.
    let settings: ConnectionSettings
    /// Output and error streams.
    let console: Console
    /// Makes the transport for a base URL (the real one, or a fake in tests).
    let makeTransport: @Sendable (String) -> any APITransport
    /// Ctrl-C and termination requests, for commands that clean up before exiting.
    var interrupts: Interrupts = .none

    /// A client for the configured server; fails when no API key can be found.
    func client() throws(CLIFailure) -> APIClient {
        let (key, source) = try settings.apiKey()
        return APIClient(baseURL: settings.baseURL, apiKey: key, apiKeySource: source,
                         transport: makeTransport(settings.baseURL))
    }

    /// Prints `text` and a newline on standard output.
    func print(_ text: String) {
        console.writeOutput(text.hasSuffix("\n") ? text : text + "\n")
    }

    /// Prints a note for people on standard error, so piped output stays clean.
    func note(_ text: String) {
        console.writeError(text + "\n")
    }

    /// Prints `value` as pretty JSON on standard output.
    func printJSON(_ value: JSONValue) {
        print(JSONWriter.pretty(value))
    }
}
