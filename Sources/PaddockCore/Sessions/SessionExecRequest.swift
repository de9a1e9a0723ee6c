import PaddockJSON

/// How exec returns a command's output.
public enum ExecOutputEncoding: String, Sendable, CaseIterable {
    /// UTF-8 text, invalid bytes replaced (the default).
    case utf8 = "utf-8"
    /// The raw bytes, base64-encoded.
    case base64
}

/// A validated `POST /v1/sessions/{id}/exec` body (api.md, "Exec").
public struct SessionExecRequest: Sendable, Equatable {
    /// The program and its arguments; a string `command` becomes `["/bin/sh", "-c", command]`.
    public let argv: [String]
    /// Absolute working directory, or nil for the session's default.
    public let cwd: String?
    /// Variables added to the session's environment for this command, in the order given.
    public let env: [EnvironmentVariables.Pair]
    /// Text written to the command's stdin, then closed; nil gives it `/dev/null`.
    /// NUL characters are allowed here: stdin is data, not a C string.
    public let stdin: String?
    /// Seconds after which the command's process group is killed; the server also clamps it
    /// to the session's remaining time.
    public let timeoutSeconds: Double
    /// Who runs the command: `name`, `uid`, optionally `:group` or `:gid`; nil for the default.
    public let user: String?
    /// How stdout and stderr are returned.
    public let encoding: ExecOutputEncoding

    /// The default of `timeout_seconds`.
    public static let defaultTimeoutSeconds = 600.0
    /// The largest `timeout_seconds` (24 hours).
    public static let maxTimeoutSeconds = 86400.0
    /// The largest `stdin`, in UTF-8 bytes (8 MiB).
    public static let maxStdinBytes = 8 * 1024 * 1024
    /// The longest single argument, in UTF-8 bytes (Linux `MAX_ARG_STRLEN` less the NUL).
    public static let maxArgumentBytes = 128 * 1024 - 1
    /// The most arguments `command` may have.
    public static let maxArguments = 4096
    /// The most bytes all arguments together may have (each counted with its NUL), like the
    /// kernel's limit on argv.
    public static let maxCommandBytes = 2 * 1024 * 1024
    /// The longest user or group name.
    public static let maxUserNameLength = 32
    /// The shell a string `command` runs under.
    public static let shell = ["/bin/sh", "-c"]
    /// Every field the body may have.
    public static let fields = ["command", "cwd", "env", "stdin", "timeout_seconds", "user", "encoding"]

    /// Validates a request body.
    public init(json body: JSONValue) throws(PaddockError) {
        let fields = try FieldReader(body, path: "", allowedKeys: Self.fields)
        guard let command = fields.raw("command") else {
            throw PaddockError.invalid("command", #"is required; give an argv array such as ["ls", "-l"] or a shell command string"#)
        }
        argv = try Self.argv(command)
        cwd = try fields.string("cwd").map { path throws(PaddockError) in try ExecWorkingDirectory.validate(path, param: "cwd") }
        env = try fields.raw("env").map { e throws(PaddockError) in try EnvironmentVariables.parse(e, param: "env") } ?? []
        stdin = try fields.string("stdin")
        if let stdin, stdin.utf8.count > Self.maxStdinBytes {
            throw PaddockError.invalid("stdin", "is \(stdin.utf8.count) bytes long; use at most \(Self.maxStdinBytes) (8 MiB), or upload larger input with PUT /v1/sessions/{id}/files")
        }
        timeoutSeconds = try Self.timeout(fields.raw("timeout_seconds"))
        user = try fields.string("user").map { text throws(PaddockError) in try Self.user(text) }
        if let raw = fields.raw("encoding") {
            guard case .string(let text) = raw, let encoding = ExecOutputEncoding(rawValue: text) else {
                let shown = raw.stringValue.map { "'\(ClientText.shown($0))'" } ?? raw.kindName
                throw PaddockError.invalid("encoding", "\(shown) is not an output encoding; use \"utf-8\" or \"base64\"")
            }
            self.encoding = encoding
        } else {
            encoding = .utf8
        }
    }

    /// Validates a request body (the same as `init(json:)`).
    public static func parse(_ value: JSONValue) throws(PaddockError) -> SessionExecRequest {
        try SessionExecRequest(json: value)
    }

    /// Whether output is returned base64-encoded (`"encoding": "base64"`).
    public var base64Output: Bool { encoding == .base64 }

    public static func == (a: SessionExecRequest, b: SessionExecRequest) -> Bool {
        a.argv == b.argv && a.cwd == b.cwd && EnvironmentVariables.equal(a.env, b.env) && a.stdin == b.stdin
            && a.timeoutSeconds == b.timeoutSeconds && a.user == b.user && a.encoding == b.encoding
    }

    /// The timeout in whole milliseconds (at least 1).
    public var timeoutMilliseconds: Int { max(1, Int((timeoutSeconds * 1000).rounded(.up))) }

    private static func argv(_ command: JSONValue) throws(PaddockError) -> [String] {
        switch command {
        case .string(let text):
            if text.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
                throw PaddockError.invalid("command", #"is empty; give a shell command such as "ls -l" or an argv array"#)
            }
            try checkArgument(text, param: "command")
            return shell + [text]
        case .array(let items):
            guard !items.isEmpty else {
                throw PaddockError.invalid("command", #"is an empty array; give the program and its arguments, e.g. ["ls", "-l"]"#)
            }
            if items.count > maxArguments {
                throw PaddockError.invalid("command", "has \(items.count) arguments; use at most \(maxArguments), or pass data through stdin or a file")
            }
            var argv: [String] = []
            argv.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    throw PaddockError.invalid("command[\(i)]", "must be a string, not \(item.kindName)")
                }
                try checkArgument(text, param: "command[\(i)]")
                argv.append(text)
            }
            let total = argv.reduce(0) { $0 + $1.utf8.count + 1 }
            if total > maxCommandBytes {
                throw PaddockError.invalid("command", "is \(total) bytes in all; the arguments together may be at most \(maxCommandBytes) bytes, pass larger data through stdin or a file")
            }
            if argv[0].isEmpty {
                throw PaddockError.invalid("command[0]", "is empty; give the program to run, e.g. \"python3\"")
            }
            return argv
        default:
            throw PaddockError.invalid("command", "must be an array of strings (argv) or a string (run by /bin/sh -c), not \(command.kindName)")
        }
    }

    private static func checkArgument(_ text: String, param: String) throws(PaddockError) {
        if text.utf8.contains(0) {
            throw PaddockError.invalid(param, "contains a NUL character, which no program can receive; remove it")
        }
        if text.utf8.count > maxArgumentBytes {
            throw PaddockError.invalid(param, "is \(text.utf8.count) bytes long; one argument may be at most \(maxArgumentBytes) bytes, pass larger data through stdin or a file")
        }
    }

    private static func timeout(_ raw: JSONValue?) throws(PaddockError) -> Double {
        guard let raw else { return defaultTimeoutSeconds }
        guard case .number(let number) = raw else {
            throw PaddockError.invalid("timeout_seconds", "must be a number of seconds such as 30 or 0.5, not \(raw.kindName)")
        }
        let seconds = number.doubleValue
        guard seconds > 0, seconds <= maxTimeoutSeconds else {
            throw PaddockError.invalid("timeout_seconds", "\(number.literal) is out of range; use a number of seconds above 0 and at most 86400")
        }
        return seconds
    }

    /// Checks `name`, `uid`, `name:group`, `uid:gid` (names `[a-z_][a-z0-9_-]*`, ids 0–4294967294).
    private static func user(_ text: String) throws(PaddockError) -> String {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.allSatisfy(isUserOrID) else {
            throw PaddockError.invalid("user", "'\(ClientText.shown(text))' is not a user; give a user name such as 'root' or a numeric uid, optionally followed by ':group' or ':gid'")
        }
        return text
    }

    private static func isUserOrID(_ part: Substring) -> Bool {
        let bytes = Array(part.utf8)
        guard let first = bytes.first, bytes.count <= maxUserNameLength else { return false }
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        func isLower(_ b: UInt8) -> Bool { (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || b == UInt8(ascii: "_") }
        if bytes.allSatisfy(isDigit) {
            guard let id = UInt32(part), id != UInt32.max else { return false }
            return true
        }
        return isLower(first) && bytes.allSatisfy { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
    }
}
