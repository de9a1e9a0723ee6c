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

    /// Connects to the agent socket in `runDirectory` through `/proc/self/fd/<n>/agent.sock`
    /// of a descriptor of the directory, so that the data directory's length never matters
    /// (a socket address holds at most 107 bytes of path).
    static func connect(runDirectory: String) throws(AgentError) -> AgentConnection {
        let directory = open(runDirectory, paddock_o_path | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else {
            throw AgentError(.io, "open \(runDirectory): \(String(cString: strerror(errno)))")
        }
        defer { close(directory) }
        return try AgentConnection(socketPath: "/proc/self/fd/\(directory)/\(SessionLayout.socketName)")
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
            var exit: ExecExit?
            while let event = try connection.nextEvent() {
                if case .exit(let last) = event { exit = last }
                onEvent(event)
            }
            guard let exit else { return .failure(.agent(AgentError(.closed, "the agent ended without an exit frame"))) }
            return .success(exit)
        } catch {
            return .failure(control.isCancelled ? .cancelled : .agent(error))
        }
    }

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
