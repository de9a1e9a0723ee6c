import Glibc
import PaddockAgentProtocol

/// After the main process exits, output still arriving is forwarded until the pipes are
/// quiet this long (background children may hold them open forever)…
private let drainQuietMs = 50
/// …but never longer than this in total.
private let drainLimitMs = 1000
/// Stdin bytes buffered before the agent stops reading the socket (backpressure).
private let stdinBufferLimit = 1 << 20

/// The running state of one exec's poll loop.
private struct StreamState {
    var stdinPending: [UInt8] = []
    var stdinEnded = false
    var sent = [0, 0]
    var truncated = [false, false]
    var status: ChildStatus?
    var exitedAt = 0
    var lastOutputAt = 0
    var timedOut = false
    var killedForClient = false
}

extension ExecSession {
    /// Streams the command's output until it exits (plus a short drain), feeds its stdin,
    /// applies the timeout and signals, then sends the exit frame.
    func stream(_ command: LaunchedCommand, request: ExecRequest) {
        var state = StreamState()
        let deadline = request.timeoutMs.map { command.startedAt + $0 }
        let caps = [request.maxStdoutBytes, request.maxStderrBytes]
        takeClientFrames(command, request: request, state: &state)
        while true {
            let now = monotonicMilliseconds()
            var wait: Int32 = -1
            if state.status != nil {
                if let fd = command.stdin { close(fd); command.stdin = nil }
                if command.stdout == nil && command.stderr == nil { break }
                let quietUntil = max(state.exitedAt, state.lastOutputAt) + drainQuietMs
                let limit = min(quietUntil, state.exitedAt + drainLimitMs)
                if now >= limit { break }
                wait = Int32(limit - now)
            } else if let deadline, !state.timedOut {
                if now >= deadline {
                    kill(-command.pid, SIGKILL)
                    state.timedOut = true
                } else {
                    wait = Int32(clamping: deadline - now)
                }
            }
            // Order: socket, stdout, stderr, stdin, wake.
            var fds = [
                pollfd(fd: clientGone ? -1 : socket,
                       events: state.stdinPending.count < stdinBufferLimit ? Int16(POLLIN) : 0, revents: 0),
                pollfd(fd: command.stdout ?? -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: command.stderr ?? -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: state.stdinPending.isEmpty ? -1 : (command.stdin ?? -1), events: Int16(POLLOUT), revents: 0),
                pollfd(fd: state.status == nil ? command.watch.wakeRead : -1, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, nfds_t(fds.count), wait)
            if ready < 0 && errno != EINTR { break }
            guard ready > 0 else { continue }
            if fds[4].revents != 0 {
                command.watch.drain()
                if let status = table.status(of: command.watch) {
                    state.status = status
                    state.exitedAt = monotonicMilliseconds()
                }
            }
            for stream in 0..<2 where fds[1 + stream].revents != 0 {
                readOutput(command, stream: stream, cap: caps[stream], state: &state)
            }
            if fds[3].revents != 0 { writeStdin(command, state: &state) }
            if fds[0].revents != 0 { readClient(command, request: request, state: &state) }
            if clientGone && state.status == nil && !state.killedForClient {
                // Nobody waits for this command any more.
                kill(-command.pid, SIGKILL)
                state.killedForClient = true
            }
        }
        command.closeStreams()
        if state.timedOut || state.killedForClient { waitUntilGroupIsGone(command.pid) }
        guard let status = state.status else { return }
        var oomKilled = false
        if status.signal == Int(SIGKILL), !state.timedOut, let before = command.oomKillsBefore,
           let after = oomKillCount() {
            oomKilled = after > before
        }
        send(.exit(ExecExit(exitCode: status.exitCode, signal: status.signal, timedOut: state.timedOut,
                            stdoutTruncated: state.truncated[0], stderrTruncated: state.truncated[1],
                            oomKilled: oomKilled, durationMs: state.exitedAt - command.startedAt)))
    }

    /// Reads one chunk of stdout (0) or stderr (1) and forwards what fits under the cap.
    private func readOutput(_ command: LaunchedCommand, stream: Int, cap: Int, state: inout StreamState) {
        guard let fd = stream == 0 ? command.stdout : command.stderr else { return }
        let count = read(fd, buffer.baseAddress, buffer.count)
        if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
        guard count > 0 else {
            close(fd)
            if stream == 0 { command.stdout = nil } else { command.stderr = nil }
            return
        }
        state.lastOutputAt = monotonicMilliseconds()
        let room = max(0, cap - state.sent[stream])
        let forwarded = min(count, room)
        if forwarded < count { state.truncated[stream] = true }
        guard forwarded > 0 else { return }
        state.sent[stream] += forwarded
        let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<forwarded])
        send(bytes: AgentFrame.chunk(stream == 0 ? .stdout : .stderr, chunk))
    }

    /// Writes buffered stdin without blocking; closes the pipe after `stdinEnd`.
    private func writeStdin(_ command: LaunchedCommand, state: inout StreamState) {
        guard let fd = command.stdin else { state.stdinPending = []; return }
        let written = state.stdinPending.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written > 0 {
            state.stdinPending.removeFirst(written)
        } else if written < 0 && errno != EAGAIN && errno != EINTR {
            // The command closed its stdin (EPIPE): the rest is dropped, as a pipe would.
            state.stdinPending = []
            close(fd)
            command.stdin = nil
        }
        if state.stdinPending.isEmpty && state.stdinEnded, let fd = command.stdin {
            close(fd)
            command.stdin = nil
        }
    }

    /// Reads the server's frames: stdin, its end, and signals for the process group.
    private func readClient(_ command: LaunchedCommand, request: ExecRequest, state: inout StreamState) {
        let count = recv(socket, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
        if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
        guard count > 0 else { clientGone = true; return }
        decoder.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        takeClientFrames(command, request: request, state: &state)
    }

    /// Acts on the frames already decoded (some may have come with the exec frame).
    private func takeClientFrames(_ command: LaunchedCommand, request: ExecRequest, state: inout StreamState) {
        do {
            while let frame = try decoder.next() {
                switch frame {
                case .stdin(let bytes):
                    if request.stdinFollows && !state.stdinEnded && command.stdin != nil {
                        state.stdinPending += bytes
                    }
                case .stdinEnd:
                    state.stdinEnded = true
                    if state.stdinPending.isEmpty, let fd = command.stdin {
                        close(fd)
                        command.stdin = nil
                    }
                case .signal(let number):
                    if state.status == nil { kill(-command.pid, number) }
                default:
                    log("ignoring an unexpected \(frame.type) frame during exec \(command.pid)")
                }
            }
        } catch {
            log("closing exec \(command.pid): \(error.message)")
            clientGone = true
        }
    }

    /// After a kill, waits (up to five seconds) until no process of the group is left, so
    /// the exit frame means the group is gone. The reaper collects the zombies meanwhile.
    private func waitUntilGroupIsGone(_ group: pid_t) {
        let deadline = monotonicMilliseconds() + 5000
        while monotonicMilliseconds() < deadline {
            if kill(-group, SIGKILL) != 0 && errno == ESRCH { return }
            usleep(2000)
        }
        log("process group \(group) survived SIGKILL for five seconds")
    }
}
