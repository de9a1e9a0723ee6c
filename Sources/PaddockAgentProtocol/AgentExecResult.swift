/// What the agent reports about a running exec, in order: `started` (absent when the
/// command could not be run), output chunks, then `exit`.
public enum AgentEvent: Sendable, Equatable {
    /// The command runs as this pid, which is also its process group id.
    case started(pid: Int32)
    /// A chunk of stdout, within the request's cap.
    case stdout([UInt8])
    /// A chunk of stderr, within the request's cap.
    case stderr([UInt8])
    /// The command ended; the last event.
    case exit(ExecExit)
}

/// Gathers the events of one exec into the output and exit status the API returns.
public struct AgentExecResult: Sendable, Equatable {
    /// The pid (and process group id) of the command, once started.
    public private(set) var pid: Int32?
    /// Stdout, at most `maxStdoutBytes`.
    public private(set) var stdout: [UInt8] = []
    /// Stderr, at most `maxStderrBytes`.
    public private(set) var stderr: [UInt8] = []
    /// How the command ended; nil until the `exit` event.
    public private(set) var exit: ExecExit?
    /// True when stdout was cut, by the agent or by this collector.
    public private(set) var stdoutTruncated = false
    /// True when stderr was cut, by the agent or by this collector.
    public private(set) var stderrTruncated = false
    /// The most stdout bytes kept.
    public let maxStdoutBytes: Int
    /// The most stderr bytes kept.
    public let maxStderrBytes: Int

    /// An empty result that keeps at most the given number of bytes of each stream.
    public init(maxStdoutBytes: Int = .max, maxStderrBytes: Int = .max) {
        self.maxStdoutBytes = maxStdoutBytes
        self.maxStderrBytes = maxStderrBytes
    }

    /// True once the exit event has been collected.
    public var isComplete: Bool { exit != nil }

    /// Adds one event.
    public mutating func collect(_ event: AgentEvent) {
        switch event {
        case .started(let pid):
            self.pid = pid
        case .stdout(let bytes):
            Self.append(bytes, to: &stdout, cap: maxStdoutBytes, truncated: &stdoutTruncated)
        case .stderr(let bytes):
            Self.append(bytes, to: &stderr, cap: maxStderrBytes, truncated: &stderrTruncated)
        case .exit(let exit):
            self.exit = exit
            stdoutTruncated = stdoutTruncated || exit.stdoutTruncated
            stderrTruncated = stderrTruncated || exit.stderrTruncated
        }
    }

    private static func append(_ bytes: [UInt8], to stream: inout [UInt8], cap: Int, truncated: inout Bool) {
        let room = max(0, cap - stream.count)
        if bytes.count > room {
            truncated = true
            stream += bytes.prefix(room)
        } else {
            stream += bytes
        }
    }
}
