import Foundation
import PaddockJSON

/// Runs one command in a session with its output streamed: `POST …/exec` with
/// `accept: application/x-ndjson`, each `stdout`/`stderr` event written to the CLI's own
/// stdout/stderr as it arrives, until the `exit` event.
enum ExecStream {
    /// Sends `body` and forwards the events; returns the `exit` event.
    static func run(session id: String, body: JSONValue, client: APIClient,
                    console: Console) async throws(CLIFailure) -> ExecResult {
        let response = try await client.stream("POST", SessionReference.path(id, "exec"), body: body,
                                               accept: "application/x-ndjson")
        var splitter = LineSplitter()
        do {
            for try await piece in response.body {
                for line in splitter.append(piece) where !line.isEmpty {
                    if let result = try handle(line, console: console) { return result }
                }
            }
            if let line = splitter.finish(), let result = try handle(line, console: console) {
                return result
            }
        } catch let failure as CLIFailure {
            throw failure
        } catch is CancellationError {
            throw .failed("cancelled")
        } catch {
            throw client.unreachable(error)
        }
        throw .failed("the connection to \(client.baseURL) closed before the command's exit status arrived")
    }

    /// Forwards one event; returns the result for the `exit` event (or a whole non-streamed
    /// result object, should a server answer with one), `nil` for output events.
    static func handle(_ line: [UInt8], console: Console) throws(CLIFailure) -> ExecResult? {
        let event: JSONValue
        do {
            event = try JSONParser.parse(line)
        } catch {
            throw .failed("the server sent an exec event that is not JSON (\(error))")
        }
        switch event["type"]?.stringValue {
        case "stdout":
            console.writeOutputBytes(try decode(event["data"], stream: "stdout"))
            return nil
        case "stderr":
            console.writeErrorBytes(try decode(event["data"], stream: "stderr"))
            return nil
        case "exit":
            return ExecResult(event)
        case "error":
            throw .failed(event["error"]?["message"]?.stringValue ?? "the exec failed on the server")
        case nil where event["exit_code"] != nil:
            // A whole result (`{"exit_code": …, "stdout": …}`) instead of events.
            console.writeOutputBytes(try decode(event["stdout"], stream: "stdout"))
            console.writeErrorBytes(try decode(event["stderr"], stream: "stderr"))
            return ExecResult(event)
        default:
            return nil  // an event type this CLI does not know yet
        }
    }

    /// The bytes of a base64 `data` field.
    static func decode(_ value: JSONValue?, stream: String) throws(CLIFailure) -> [UInt8] {
        guard let text = value?.stringValue else { return [] }
        guard let data = Data(base64Encoded: text) else {
            throw .failed("the server sent \(stream) data that is not base64 although the CLI asked for it")
        }
        return [UInt8](data)
    }
}

/// How a command run in a session ended (the `exit` event, or the non-streamed result).
struct ExecResult: Sendable, Equatable {
    /// The exit status when the command exited normally.
    var exitCode: Int?
    /// The signal number that ended it, if one did.
    var signal: Int32?
    /// The signal as the server named it, e.g. `SIGKILL`.
    var signalName: String?
    /// The command ran past its timeout and its process group was killed.
    var timedOut: Bool
    /// The server cut a stream at its cap.
    var truncated: Bool
    /// The memory limit killed the command.
    var oomKilled: Bool
    /// How long it ran, if said.
    var durationMilliseconds: Int?

    /// Reads the event's fields; `signal` may be a number or a name.
    init(_ event: JSONValue) {
        exitCode = event["exit_code"]?.numberValue?.intValue
        switch event["signal"] {
        case .number(let number)?:
            signal = number.intValue.map { Int32(truncatingIfNeeded: $0) }
        case .string(let name)?:
            signalName = name
            signal = Int32(name) ?? Signals.number(named: name)
        default:
            signal = nil
        }
        timedOut = event["timed_out"]?.boolValue ?? false
        truncated = event["truncated"]?.boolValue ?? false
        oomKilled = event["oom_killed"]?.boolValue ?? false
        durationMilliseconds = event["duration_ms"]?.numberValue?.intValue
    }

    /// The code `paddock` exits with: 124 on a timeout (as `timeout(1)`), 128 + the signal
    /// when a signal ended it, else the exit status.
    var processExitCode: Int32 {
        if timedOut { return 124 }
        if let signal { return 128 + signal }
        if let exitCode { return Int32(clamping: exitCode) & 0xFF }
        return oomKilled ? 137 : 1
    }

    /// What to say on stderr, if anything: a timeout, a kill by memory or by a signal.
    var message: String? {
        if timedOut {
            let after = durationMilliseconds.map { " after \(SessionDisplay.duration(.number(JSONNumber($0))))" } ?? ""
            return "the command timed out\(after) and was killed (raise --timeout)"
        }
        if oomKilled { return "the command ran out of memory and was killed (raise the session's --memory)" }
        if let signal {
            let name = signalName ?? Signals.name(of: signal).map { $0 } ?? "signal \(signal)"
            return "the command was killed by \(name)"
        }
        return nil
    }

    /// The exit to end `paddock` with, or `nil` for a clean 0.
    var exit: ExecExit? {
        let code = processExitCode
        let message = message
        return code == 0 && message == nil ? nil : ExecExit(code: code, message: message)
    }
}

/// Linux signal names and numbers, for messages and for servers that name signals.
enum Signals {
    /// Names without the `SIG` prefix, by number.
    static let names: [Int32: String] = [
        1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 7: "BUS", 8: "FPE", 9: "KILL",
        10: "USR1", 11: "SEGV", 12: "USR2", 13: "PIPE", 14: "ALRM", 15: "TERM", 16: "STKFLT", 17: "CHLD",
        18: "CONT", 19: "STOP", 20: "TSTP", 21: "TTIN", 22: "TTOU", 23: "URG", 24: "XCPU", 25: "XFSZ",
        26: "VTALRM", 27: "PROF", 28: "WINCH", 29: "IO", 30: "PWR", 31: "SYS",
    ]

    /// `SIGKILL` for 9.
    static func name(of number: Int32) -> String? {
        names[number].map { "SIG" + $0 }
    }

    /// 9 for `SIGKILL` or `KILL`.
    static func number(named name: String) -> Int32? {
        let bare = name.uppercased().hasPrefix("SIG") ? String(name.uppercased().dropFirst(3)) : name.uppercased()
        return names.first { $0.value == bare }?.key
    }
}
