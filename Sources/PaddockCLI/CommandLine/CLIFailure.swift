import PaddockCore

/// Why a command stopped; each case maps to one exit code and one line on stderr.
enum CLIFailure: Error, Sendable, Equatable {
    /// The command line is wrong (unknown flag, missing argument, bad value): exit 2, followed
    /// by a pointer to the command's help.
    case usage(String)
    /// The API answered with an error (mapped back from its HTTP status): exit 1.
    case api(PaddockError)
    /// The server could not be reached: exit 1.
    case unreachable(url: String, detail: String)
    /// Anything else that makes the command fail (no such environment, no API key): exit 1.
    case failed(String)

    /// The process exit code for this failure.
    var exitCode: Int32 {
        switch self {
        case .usage: 2
        case .api, .unreachable, .failed: 1
        }
    }

    /// The single line printed after `error: `.
    var message: String {
        let text: String = switch self {
        case .usage(let message), .failed(let message):
            message
        case .api(let error):
            if let param = error.param, !param.isEmpty { "\(error.message) (param: \(param))" } else { error.message }
        case .unreachable(let url, let detail):
            "cannot reach Paddock at \(url): \(detail); is `make run` running?"
        }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
