import Glibc

/// The one error type of the agent protocol: a fixed code plus a lower-case message.
public struct AgentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is; the server maps it to an HTTP status.
    public enum Code: String, Sendable, CaseIterable {
        /// The request is invalid (bad cwd, unknown user, empty argv…).
        case invalidArgument = "invalid_argument"
        /// The peer speaks another protocol version.
        case unsupported
        /// The peer sent bytes that are not a valid frame or not expected now.
        case protocolViolation = "protocol"
        /// A system call on the socket failed.
        case io
        /// The connection ended before the conversation did.
        case closed
        /// No frame arrived within the caller's receive timeout.
        case timedOut = "timed_out"
        /// The agent failed on its side (fork, pipes, …).
        case `internal`
    }

    /// What kind of failure this is.
    public var code: Code
    /// One lower-case sentence saying what went wrong.
    public var message: String

    /// Makes an error from a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`, for logs.
    public var description: String { "\(code.rawValue): \(message)" }

    /// An `io` error naming the failed operation and the current `errno`.
    static func posix(_ operation: String, _ number: Int32 = errno) -> AgentError {
        AgentError(.io, "\(operation): \(errnoDescription(number))")
    }
}

/// The C library's text for an errno value (`strerror`).
func errnoDescription(_ number: Int32) -> String {
    guard let text = strerror(number) else { return "errno \(number)" }
    return String(cString: text)
}
