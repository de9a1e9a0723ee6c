import Glibc
import PaddockAgentProtocol

/// One connection from the server: handshake, one exec, its output, the exit frame.
///
/// Runs on its own thread. Refusals (bad cwd, unknown user, protocol errors) end with an
/// `error` frame; a command that cannot be found or executed ends like a shell's (127/126).
final class ExecSession {
    let socket: Int32
    let table: ChildTable
    var decoder = AgentFrameDecoder()
    /// True once the server closed the connection or stopped reading: nothing more is sent.
    var clientGone = false
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: AgentProtocol.chunkSize, alignment: 8)

    init(socket: Int32, table: ChildTable) {
        self.socket = socket
        self.table = table
    }

    deinit {
        close(socket)
        buffer.deallocate()
    }

    /// Serves the connection to its end.
    func serve() {
        // A silent client must not hold a thread forever; output waits at most a minute for
        // a server that stopped reading.
        setTimeout(SO_RCVTIMEO, seconds: 30)
        setTimeout(SO_SNDTIMEO, seconds: 60)
        do throws(AgentError) {
            guard case .hello(let version)? = try readFrame() else {
                throw AgentError(.protocolViolation, "expected hello first")
            }
            guard version == AgentProtocol.version else {
                throw AgentError(.unsupported, "paddock-init speaks protocol \(AgentProtocol.version), not \(version)")
            }
            send(.hello(version: AgentProtocol.version))
            guard case .exec(let request)? = try readFrame() else {
                throw AgentError(.protocolViolation, "expected exec after hello")
            }
            try execute(request)
        } catch {
            send(.error(error))
        }
    }

    private func setTimeout(_ option: Int32, seconds: Int) {
        var value = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(socket, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The next frame, reading from the socket as needed; nil if the connection ended.
    private func readFrame() throws(AgentError) -> AgentFrame? {
        while true {
            if let frame = try decoder.next() { return frame }
            let count = recv(socket, buffer.baseAddress, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            decoder.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Sends a frame unless the server is gone.
    func send(_ frame: AgentFrame) {
        send(bytes: frame.encoded())
    }

    func send(bytes: [UInt8]) {
        guard !clientGone else { return }
        if !writeAll(socket, bytes) { clientGone = true }
    }

    /// Checks the request against the container, starts the command and streams it.
    private func execute(_ request: ExecRequest) throws(AgentError) {
        let cwd = try resolveWorkingDirectory(request.cwd)
        var credentials: Credentials?
        if let user = request.user {
            switch resolveUser(user) {
            case .success(let found): credentials = found
            case .failure(let error): throw AgentError(.invalidArgument, error.message)
            }
        }
        let argv0 = request.argv[0]
        let searchPath = request.env.last(where: { $0.name == "PATH" })?.value
        let path: String
        switch lookUpExecutable(argv0, searchPath: searchPath, cwd: cwd) {
        case .found(let found): path = found
        case .notFound: return finishUnstarted(code: 127, message: "\(argv0): command not found")
        case .notExecutable: return finishUnstarted(code: 126, message: "\(argv0): Permission denied")
        }
        let plan = LaunchPlan(path: path, argv: request.argv, env: request.env, cwd: cwd, credentials: credentials)
        let launched: LaunchedCommand
        do {
            launched = try launch(plan, stdinFollows: request.stdinFollows)
        } catch {
            throw AgentError(.internal, error.message)
        }
        if let failure = launched.failure {
            let (stage, number) = failure
            let reason = String(cString: strerror(number))
            switch stage {
            case .exec:
                return finishUnstarted(code: number == ENOENT ? 127 : 126, message: "\(argv0): \(reason)")
            case .cwd: throw AgentError(.invalidArgument, "cannot enter cwd \(cwd): \(reason)")
            case .user: throw AgentError(.invalidArgument, "cannot switch to user \(request.user ?? ""): \(reason)")
            case .setsid, .redirect: throw AgentError(.internal, "cannot prepare the process: \(reason)")
            }
        }
        send(.started(pid: launched.pid))
        stream(launched, request: request)
    }

    /// The directory the command runs in: the request's (symlinks resolved), else
    /// `/workspace` if it exists, else `/`.
    private func resolveWorkingDirectory(_ requested: String?) throws(AgentError) -> String {
        let wanted = requested ?? (isDirectory("/workspace") ? "/workspace" : "/")
        if let problem = ExecRequest.cwdProblem(wanted) { throw AgentError(.invalidArgument, problem) }
        guard let resolvedPointer = realpath(wanted, nil) else {
            throw AgentError(.invalidArgument, "cwd does not exist: \(wanted)")
        }
        let resolved = String(cString: resolvedPointer)
        free(resolvedPointer)
        guard !ExecRequest.isUnderProcessFileDescriptors(resolved) else {
            throw AgentError(.invalidArgument, "cwd must not be under /proc/<pid>/fd: \(wanted)")
        }
        guard isDirectory(resolved) else { throw AgentError(.invalidArgument, "cwd is not a directory: \(wanted)") }
        return resolved
    }

    /// Ends an exec whose command never ran, the way a shell reports it.
    private func finishUnstarted(code: Int, message: String) {
        send(.stderr(Array("paddock-init: \(message)\n".utf8)))
        send(.exit(ExecExit(exitCode: code)))
    }

    /// Forks the command with pipes for its streams, and waits until it has called
    /// `execve` (or failed to).
    private func launch(_ plan: LaunchPlan, stdinFollows: Bool) throws(SystemError) -> LaunchedCommand {
        var opened: [Int32] = []
        func track(_ fd: Int32) -> Int32 { opened.append(fd); return fd }
        do throws(SystemError) {
            let input: (read: Int32, write: Int32?)
            if stdinFollows {
                let pipe = try makePipe()
                input = (track(pipe.read), track(pipe.write))
            } else {
                let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
                guard null >= 0 else { throw SystemError("open /dev/null") }
                input = (track(null), nil)
            }
            let output = try makePipe()
            _ = (track(output.read), track(output.write))
            let errors = try makePipe()
            _ = (track(errors.read), track(errors.write))
            let report = try makePipe()
            _ = (track(report.read), track(report.write))
            let watch = try ChildWatch()
            let oomKillsBefore = oomKillCount()
            let startedAt = monotonicMilliseconds()
            let pid = table.spawn(watch) {
                let pid = fork()
                if pid == 0 {
                    runChild(plan, stdin: input.read, stdout: output.write, stderr: errors.write, report: report.write)
                }
                return pid
            }
            guard pid > 0 else { throw SystemError("fork") }
            for fd in [input.read, output.write, errors.write, report.write] { close(fd) }
            var failure: (Int32, Int32) = (0, 0)
            var got = 0
            while true {
                got = withUnsafeMutableBytes(of: &failure) { read(report.read, $0.baseAddress, $0.count) }
                if got < 0 && errno == EINTR { continue }
                break
            }
            close(report.read)
            for fd in [input.write, output.read, errors.read] { if let fd { setNonBlocking(fd) } }
            let command = LaunchedCommand(pid: pid, watch: watch, stdin: input.write, stdout: output.read,
                                          stderr: errors.read, startedAt: startedAt, oomKillsBefore: oomKillsBefore)
            if got == MemoryLayout.size(ofValue: failure), let stage = ChildFailure(rawValue: failure.0) {
                command.failure = (stage, failure.1)
                command.closeStreams()
            }
            return command
        } catch {
            for fd in opened { close(fd) }
            throw error
        }
    }
}

/// A forked command: its pid (= process group), our ends of its pipes, and its watch.
final class LaunchedCommand {
    let pid: pid_t
    let watch: ChildWatch
    var stdin: Int32?
    var stdout: Int32?
    var stderr: Int32?
    let startedAt: Int
    let oomKillsBefore: Int?
    /// Set when the child failed before `execve` succeeded: the stage and the errno.
    var failure: (ChildFailure, Int32)?

    init(pid: pid_t, watch: ChildWatch, stdin: Int32?, stdout: Int32, stderr: Int32, startedAt: Int,
         oomKillsBefore: Int?) {
        self.pid = pid
        self.watch = watch
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.startedAt = startedAt
        self.oomKillsBefore = oomKillsBefore
    }

    deinit { closeStreams() }

    /// Closes whichever of our pipe ends are still open.
    func closeStreams() {
        for fd in [stdin, stdout, stderr] { if let fd { close(fd) } }
        stdin = nil
        stdout = nil
        stderr = nil
    }
}

/// The cgroup's count of OOM kills (`oom_kill` in cgroup v2 `memory.events` or v1
/// `memory.oom_control`), or nil when neither file is readable.
func oomKillCount() -> Int? {
    for path in ["/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control"] {
        guard let text = readSmallFile(path) else { continue }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, fields[0] == "oom_kill", let count = Int(fields[1]) { return count }
        }
    }
    return nil
}
