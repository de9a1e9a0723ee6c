import Foundation
import PaddockJSON

/// The flags `exec` and `run` share that describe the command to run, and how they become
/// the body of `POST /v1/sessions/{id}/exec`.
///
/// The command is argv: every argument after `--` is one element, spaces included, and no
/// shell is involved. `--shell TEXT` sends a string instead, which the server runs with
/// `/bin/sh -c`. Output is asked for as base64 so that binary output passes through exactly.
struct ExecFields {
    /// The parameters for the command itself (`exec` adds `--env-var` and `--timeout`, which
    /// `run` spends on the session).
    static let parameters: [Parameter] = [
        .option("cwd", value: "DIR", help: "the working directory, an absolute path (default /workspace)"),
        .option("user", value: "USER", help: "run as this user (a name or uid) instead of root"),
        .option("stdin-file", value: "FILE",
                help: "send this file's text as the command's standard input (FILE - reads paddock's own standard input)"),
        .option("shell", value: "TEXT", help: "run TEXT with /bin/sh -c instead of the command after --"),
    ]

    /// The argv after `--`.
    static let commandParameter = Parameter.trailing(
        "command", label: "COMMAND [ARG]...",
        help: "the program and its arguments, each passed as one argument (no shell)")

    var command: [String]
    var shell: String?
    var cwd: String?
    var user: String?
    var stdinFile: String?
    var variables: [(key: String, value: String)] = []
    var timeout: Int?

    /// Reads the flags common to `exec` and `run`.
    init(from arguments: ParsedArguments) throws(CLIFailure) {
        command = arguments.values("command")
        shell = arguments.value("shell")
        cwd = arguments.value("cwd")
        user = arguments.value("user")
        stdinFile = arguments.value("stdin-file")
    }

    /// Exactly one of a command after `--` and `--shell`; `--cwd` absolute.
    func validate(commandPath: String) throws(CLIFailure) {
        if shell != nil && !command.isEmpty {
            throw .usage("give either --shell TEXT or a command after '--', not both")
        }
        if shell == nil && command.isEmpty {
            throw .usage("missing the command to run; put it after '--', e.g. \(commandPath) -- ls -la")
        }
        if let shell, shell.isEmpty { throw .usage("--shell must not be empty") }
        if let cwd, !cwd.hasPrefix("/") {
            throw .usage("--cwd must be an absolute path (got '\(cwd)')")
        }
        if let user, user.isEmpty { throw .usage("--user must not be empty") }
    }

    /// The request body. `stdin` is the text read from `--stdin-file`, if any.
    func body(stdin: String?, base64: Bool = true) -> JSONValue {
        var body = JSONObject()
        if let shell {
            body["command"] = .string(shell)
        } else {
            body["command"] = .array(command.map { JSONValue.string($0) })
        }
        if let cwd { body["cwd"] = .string(cwd) }
        if !variables.isEmpty { body["env"] = SessionFields.object(variables) }
        if let stdin { body["stdin"] = .string(stdin) }
        if let timeout { body["timeout_seconds"] = .number(JSONNumber(timeout)) }
        if let user { body["user"] = .string(user) }
        if base64 { body["encoding"] = "base64" }
        return .object(body)
    }

    /// The text of `--stdin-file` (the console's input for `-`), read off the cooperative
    /// pool. The API takes stdin as a string, so it must be UTF-8.
    func readStdin(from console: Console) async throws(CLIFailure) -> String? {
        guard let stdinFile else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try await Self.offPool {
                if stdinFile == "-" { return try console.readInput() }
                return [UInt8](try Data(contentsOf: URL(fileURLWithPath: stdinFile)))
            }
        } catch {
            let reason = (error as? CocoaError)?.code == .fileReadNoSuchFile ? "no such file" : "cannot read it"
            throw .usage("--stdin-file '\(stdinFile)': \(reason)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .usage("--stdin-file '\(stdinFile)' is not UTF-8 text; the API takes standard input as text")
        }
        return text
    }

    /// Runs blocking work (reading a file or a pipe to its end) on its own thread.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}
