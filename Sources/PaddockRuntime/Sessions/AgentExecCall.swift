import CPaddockSys
import Foundation
import Glibc
import PaddockAgentProtocol
import Synchronization

/// One exec through a session's paddock-init, run on a thread of its own (the client is
/// blocking): connect, send the request and stdin, forward every event, return the exit.
/// Cancelling the calling task disconnects, and the agent then kills the command's group.
enum AgentExecCall {
    /// Why an exec did not produce an exit.
    enum Failure: Error, Sendable {
        /// The agent's socket did not accept the connection (the container may be gone).
        case connect(AgentError)
        /// The agent refused the request or the conversation broke.
        case agent(AgentError)
        /// The calling task was cancelled.
        case cancelled
    }

    /// Runs `request` in the session whose socket directory is `runDirectory`.
    static func run(runDirectory: String, request: ExecRequest, stdin: [UInt8],
                    onEvent: @escaping @Sendable (AgentEvent) -> Void) async -> Result<ExecExit, Failure> {
        let control = CallControl()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<ExecExit, Failure>, Never>) in
                let thread = Thread {
                    continuation.resume(returning: converse(runDirectory: runDirectory, request: request, stdin: stdin,
                                                            control: control, onEvent: onEvent))
                }
                thread.name = "paddock-exec"
                thread.start()
            }
        } onCancel: {
            control.cancel()
        }
    }

    /// Connects to the agent socket in `runDirectory`. The directory is writable from inside
    /// the session, so the name is opened without following symlinks (`O_PATH | O_NOFOLLOW`),
    /// must be a socket, and the connection goes to exactly that inode through
    /// `/proc/self/fd/<n>`: a symlink planted in its place (pointing at another session's or a
    /// host socket) is refused. The path's length never matters either (a socket address holds
    /// at most 107 bytes of path).
    static func connect(runDirectory: String) throws(AgentError) -> AgentConnection {
        let directory = open(runDirectory, paddock_o_path | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard directory >= 0 else {
            throw AgentError(.io, "open \(runDirectory): \(String(cString: strerror(errno)))")
        }
        defer { close(directory) }
        let socket = openat(directory, SessionLayout.socketName, paddock_o_path | O_NOFOLLOW | O_CLOEXEC)
        guard socket >= 0 else {
            throw AgentError(.io, "open the agent socket: \(String(cString: strerror(errno)))")
        }
        defer { close(socket) }
        var info = stat()
        guard fstat(socket, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK else {
            throw AgentError(.io, "the agent socket was replaced by something that is not a socket")
        }
        return try AgentConnection(socketPath: "/proc/self/fd/\(socket)")
    }

    /// The blocking conversation (on the exec's own thread).
    private static func converse(runDirectory: String, request: ExecRequest, stdin: [UInt8], control: CallControl,
                                 onEvent: @Sendable (AgentEvent) -> Void) -> Result<ExecExit, Failure> {
        let connection: AgentConnection
        do {
            connection = try connect(runDirectory: runDirectory)
        } catch {
            return .failure(control.isCancelled ? .cancelled : .connect(error))
        }
        guard control.attach(connection) else { return .failure(.cancelled) }
        do throws(AgentError) {
            try connection.start(request)
            if request.stdinFollows {
                connection.writeStdin(stdin)
                connection.closeStdin()
            }
            // The agent runs inside the session, so it is not trusted to keep to the request:
            // output beyond the caps is dropped here too, and a silent agent is given up on
            // once the request's timeout (plus a grace period) has passed.
            var exit: ExecExit?
            var stdoutLeft = request.maxStdoutBytes, stderrLeft = request.maxStderrBytes
            let deadline = request.timeoutMs.map { DispatchTime.now().uptimeNanoseconds / 1_000_000 + UInt64($0) + graceMs }
            while true {
                var waitMs: Int?
                if let deadline {
                    let now = DispatchTime.now().uptimeNanoseconds / 1_000_000
                    guard now < deadline else {
                        return .failure(.agent(AgentError(.closed, "the agent did not finish within the exec's timeout")))
                    }
                    waitMs = Int(deadline - now)
                }
                guard let event = try connection.nextEvent(timeoutMs: waitMs) else { break }
                switch event {
                case .exit(let last):
                    exit = last
                    onEvent(event)
                case .stdout(let bytes):
                    let kept = bytes.prefix(stdoutLeft)
                    stdoutLeft -= kept.count
                    if !kept.isEmpty { onEvent(.stdout(Array(kept))) }
                case .stderr(let bytes):
                    let kept = bytes.prefix(stderrLeft)
                    stderrLeft -= kept.count
                    if !kept.isEmpty { onEvent(.stderr(Array(kept))) }
                case .started:
                    onEvent(event)
                }
            }
            guard let exit else { return .failure(.agent(AgentError(.closed, "the agent ended without an exit frame"))) }
            return .success(exit)
        } catch {
            return .failure(control.isCancelled ? .cancelled : .agent(error))
        }
    }

    /// How long after the request's timeout a silent agent is still waited for (the agent
    /// needs a moment to kill the group and report).
    static let graceMs: UInt64 = 10_000

    /// Shared between the exec's thread and the cancellation handler.
    private final class CallControl: Sendable {
        private struct State: Sendable {
            var connection: AgentConnection?
            var cancelled = false
        }
        private let state = Mutex(State())

        var isCancelled: Bool { state.withLock { $0.cancelled } }

        /// Registers the open connection; false (and disconnected) when already cancelled.
        func attach(_ connection: AgentConnection) -> Bool {
            state.withLock { state in
                if state.cancelled {
                    connection.disconnect()
                    return false
                }
                state.connection = connection
                return true
            }
        }

        /// Marks the call cancelled and disconnects a connection already open.
        func cancel() {
            state.withLock { state in
                state.cancelled = true
                state.connection?.disconnect()
            }
        }
    }
}
