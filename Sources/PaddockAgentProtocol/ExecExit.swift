/// How a command ended: the payload of the `exit` frame.
///
/// Exactly one of `exitCode` and `signal` is set; the server shows a signal death as
/// `128 + signal` where a shell would.
public struct ExecExit: Sendable, Equatable {
    /// The exit status (0–255) when the process exited; nil when a signal killed it.
    public var exitCode: Int?
    /// The signal number that killed the process; nil when it exited.
    public var signal: Int?
    /// True when the request's timeout killed the process group.
    public var timedOut: Bool
    /// True when stdout went past its cap and the rest was dropped.
    public var stdoutTruncated: Bool
    /// True when stderr went past its cap and the rest was dropped.
    public var stderrTruncated: Bool
    /// Best effort: true when SIGKILL ended the process while the cgroup counted an OOM kill.
    public var oomKilled: Bool
    /// Milliseconds from starting the process to its exit.
    public var durationMs: Int

    /// Makes an exit record; every flag defaults to false.
    public init(exitCode: Int?, signal: Int? = nil, timedOut: Bool = false, stdoutTruncated: Bool = false,
                stderrTruncated: Bool = false, oomKilled: Bool = false, durationMs: Int = 0) {
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
        self.oomKilled = oomKilled
        self.durationMs = durationMs
    }

    /// The shell's view of the status: the exit code, or 128 + the signal number.
    public var shellStatus: Int { exitCode ?? (128 + (signal ?? 0)) }

    var json: AgentJSON {
        .object([
            ("exit_code", exitCode.map { .int($0) } ?? .null),
            ("signal", signal.map { .int($0) } ?? .null),
            ("timed_out", .bool(timedOut)),
            ("stdout_truncated", .bool(stdoutTruncated)),
            ("stderr_truncated", .bool(stderrTruncated)),
            ("oom_killed", .bool(oomKilled)),
            ("duration_ms", .int(durationMs)),
        ])
    }

    init(json: AgentJSON) throws(AgentError) {
        func int(_ key: String) throws(AgentError) -> Int? {
            switch json[key]?.orNil {
            case nil: return nil
            case .int(let value)?: return value
            default: throw AgentError(.protocolViolation, "exit field \(key) must be an integer")
            }
        }
        let exitCode = try int("exit_code")
        let signal = try int("signal")
        guard (exitCode == nil) != (signal == nil) else {
            throw AgentError(.protocolViolation, "exit needs exactly one of exit_code and signal")
        }
        self.init(exitCode: exitCode, signal: signal,
                  timedOut: json["timed_out"] == .bool(true),
                  stdoutTruncated: json["stdout_truncated"] == .bool(true),
                  stderrTruncated: json["stderr_truncated"] == .bool(true),
                  oomKilled: json["oom_killed"] == .bool(true),
                  durationMs: try int("duration_ms") ?? 0)
    }
}
