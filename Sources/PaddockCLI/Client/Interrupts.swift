import Dispatch
import Foundation

/// Requests to stop the CLI (Ctrl-C, `kill`), delivered to commands that must clean up
/// first: `paddock run` deletes its session before it exits.
public struct Interrupts: Sendable {
    /// Starts listening; the stream yields the signal number of each interrupt. While a
    /// stream is being listened to, the signals do not kill the process; when the listener
    /// stops, their default action is restored.
    public let listen: @Sendable () -> AsyncStream<Int32>

    /// Creates interrupts from a listening function (tests deliver fake ones).
    public init(listen: @escaping @Sendable () -> AsyncStream<Int32>) {
        self.listen = listen
    }

    /// No interrupts ever arrive.
    public static let none = Interrupts { AsyncStream { _ in } }

    /// SIGINT and SIGTERM sent to this process.
    public static let process = Interrupts {
        AsyncStream { continuation in
            let sources = SignalSources([SIGINT, SIGTERM].map { number in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { continuation.yield(number) }
                source.resume()
                return source
            })
            continuation.onTermination = { _ in
                sources.cancel()
                signal(SIGINT, SIG_DFL)
                signal(SIGTERM, SIG_DFL)
            }
        }
    }
}

/// The dispatch sources of one listener; only cancelled, from whichever thread ends the
/// stream (dispatch sources are thread-safe).
private final class SignalSources: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(_ sources: [any DispatchSourceSignal]) {
        self.sources = sources
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
