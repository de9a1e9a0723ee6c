/// One command for paddock-init to run: the payload of an `exec` frame.
///
/// Validated when made and when decoded, so an invalid request never exists: argv is not
/// empty, strings hold no NUL byte, `cwd` is absolute and not under `/proc/<pid>/fd`, limits
/// are positive. The agent checks `cwd` once more after resolving symlinks in the container.
public struct ExecRequest: Sendable, Equatable {
    /// The program and its arguments, passed to `execve` verbatim; `argv[0]` is looked up in
    /// the request's `PATH` unless it contains a `/`. Required, not empty.
    public let argv: [String]
    /// Absolute working directory; nil means `/workspace` if it exists, else `/`.
    public let cwd: String?
    /// The complete environment of the command, in order; nothing else is inherited.
    public let env: [(name: String, value: String)]
    /// Who runs the command: a user name, `uid`, `uid:gid` or `name:group`; nil keeps the
    /// agent's own user.
    public let user: String?
    /// True when `stdin` frames follow; false gives the command `/dev/null` as stdin.
    public let stdinFollows: Bool
    /// Milliseconds after which the whole process group is killed; nil for no limit.
    public let timeoutMs: Int?
    /// Bytes of stdout sent at most; the rest is read and dropped, and `exit` says truncated.
    public let maxStdoutBytes: Int
    /// Bytes of stderr sent at most; the rest is read and dropped, and `exit` says truncated.
    public let maxStderrBytes: Int

    /// Makes a request, refusing invalid values with an `invalidArgument` error.
    public init(argv: [String], cwd: String? = nil, env: [(name: String, value: String)] = [],
                user: String? = nil, stdinFollows: Bool = false, timeoutMs: Int? = nil,
                maxStdoutBytes: Int = AgentProtocol.defaultMaxOutputBytes,
                maxStderrBytes: Int = AgentProtocol.defaultMaxOutputBytes) throws(AgentError) {
        guard let first = argv.first, !first.isEmpty else { throw Self.invalid("argv must not be empty") }
        guard !argv.contains(where: { $0.utf8.contains(0) }) else { throw Self.invalid("argv must not contain NUL bytes") }
        if let cwd, let problem = Self.cwdProblem(cwd) { throw Self.invalid(problem) }
        for (name, value) in env {
            guard !name.isEmpty, !name.utf8.contains(UInt8(ascii: "=")), !name.utf8.contains(0),
                  !value.utf8.contains(0) else {
                throw Self.invalid("invalid environment variable name: \(name)")
            }
        }
        if let user, user.isEmpty || user.utf8.contains(0) { throw Self.invalid("user must not be empty") }
        if let timeoutMs, timeoutMs <= 0 { throw Self.invalid("timeout must be positive") }
        guard maxStdoutBytes >= 0, maxStderrBytes >= 0 else { throw Self.invalid("output caps must not be negative") }
        self.argv = argv
        self.cwd = cwd
        self.env = env
        self.user = user
        self.stdinFollows = stdinFollows
        self.timeoutMs = timeoutMs
        self.maxStdoutBytes = maxStdoutBytes
        self.maxStderrBytes = maxStderrBytes
    }

    /// Compares every field, the environment in order.
    public static func == (lhs: ExecRequest, rhs: ExecRequest) -> Bool {
        lhs.argv == rhs.argv && lhs.cwd == rhs.cwd && lhs.user == rhs.user
            && lhs.env.elementsEqual(rhs.env) { $0.name == $1.name && $0.value == $1.value }
            && lhs.stdinFollows == rhs.stdinFollows && lhs.timeoutMs == rhs.timeoutMs
            && lhs.maxStdoutBytes == rhs.maxStdoutBytes && lhs.maxStderrBytes == rhs.maxStderrBytes
    }

    /// Why `cwd` is refused as a working directory, or nil if it is acceptable.
    public static func cwdProblem(_ cwd: String) -> String? {
        guard cwd.hasPrefix("/") else { return "cwd must be an absolute path" }
        guard !cwd.utf8.contains(0) else { return "cwd must not contain NUL bytes" }
        if isUnderProcessFileDescriptors(cwd) { return "cwd must not be under /proc/<pid>/fd: \(cwd)" }
        return nil
    }

    /// True for `/proc/<pid|self|thread-self>/fd` (and `…/task/<tid>/fd`) and anything
    /// below, after removing `.`, `..` and repeated slashes: such paths reach the agent's
    /// own open files.
    public static func isUnderProcessFileDescriptors(_ path: String) -> Bool {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        guard parts.count >= 3, parts[0] == "proc" else { return false }
        func isProcess(_ part: Substring) -> Bool {
            part == "self" || part == "thread-self" || part.allSatisfy { $0.isASCII && $0.isNumber }
        }
        guard isProcess(parts[1]) else { return false }
        if parts[2] == "fd" { return true }
        return parts.count >= 5 && parts[2] == "task" && isProcess(parts[3]) && parts[4] == "fd"
    }

    private static func invalid(_ message: String) -> AgentError { AgentError(.invalidArgument, message) }

    var json: AgentJSON {
        .object([
            ("argv", .array(argv.map { .string($0) })),
            ("cwd", cwd.map { .string($0) } ?? .null),
            ("env", .array(env.map { .array([.string($0.name), .string($0.value)]) })),
            ("user", user.map { .string($0) } ?? .null),
            ("stdin", .bool(stdinFollows)),
            ("timeout_ms", timeoutMs.map { .int($0) } ?? .null),
            ("max_stdout", .int(maxStdoutBytes)),
            ("max_stderr", .int(maxStderrBytes)),
        ])
    }

    init(json: AgentJSON) throws(AgentError) {
        guard case .array(let argvItems)? = json["argv"] else { throw Self.invalid("exec needs argv") }
        var argv: [String] = []
        for item in argvItems {
            guard case .string(let text) = item else { throw Self.invalid("argv must hold strings") }
            argv.append(text)
        }
        var env: [(name: String, value: String)] = []
        if case .array(let pairs)? = json["env"]?.orNil {
            for pair in pairs {
                guard case .array(let two) = pair, two.count == 2, case .string(let name) = two[0],
                      case .string(let value) = two[1] else { throw Self.invalid("env must hold [name, value] pairs") }
                env.append((name, value))
            }
        }
        try self.init(argv: argv,
                      cwd: try Self.optionalString(json["cwd"], "cwd"),
                      env: env,
                      user: try Self.optionalString(json["user"], "user"),
                      stdinFollows: json["stdin"] == .bool(true),
                      timeoutMs: try Self.optionalInt(json["timeout_ms"], "timeout_ms"),
                      maxStdoutBytes: try Self.optionalInt(json["max_stdout"], "max_stdout")
                          ?? AgentProtocol.defaultMaxOutputBytes,
                      maxStderrBytes: try Self.optionalInt(json["max_stderr"], "max_stderr")
                          ?? AgentProtocol.defaultMaxOutputBytes)
    }

    private static func optionalString(_ value: AgentJSON?, _ key: String) throws(AgentError) -> String? {
        switch value?.orNil {
        case nil: return nil
        case .string(let text)?: return text
        default: throw invalid("\(key) must be a string")
        }
    }

    private static func optionalInt(_ value: AgentJSON?, _ key: String) throws(AgentError) -> Int? {
        switch value?.orNil {
        case nil: return nil
        case .int(let number)?: return number
        default: throw invalid("\(key) must be an integer")
        }
    }
}
