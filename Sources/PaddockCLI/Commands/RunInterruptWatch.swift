import Foundation

/// Listens for interrupts while `paddock run` owns a session, so that Ctrl-C cancels the
/// step in progress (polling or the command) and the session is still deleted.
final class RunInterruptWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var signal: Int32?
    private var cancelCurrent: (@Sendable () -> Void)?
    private var listener: Task<Void, Never>?

    /// Starts listening; from now on the interrupts no longer kill the process.
    init(_ interrupts: Interrupts) {
        let stream = interrupts.listen()
        listener = Task { [weak self] in
            for await number in stream {
                self?.interrupted(by: number)
            }
        }
    }

    /// The first interrupt's signal number, if one arrived.
    var received: Int32? { lock.withLock { signal } }

    private func interrupted(by number: Int32) {
        let cancel: (@Sendable () -> Void)? = lock.withLock {
            if signal == nil { signal = number }
            return cancelCurrent
        }
        cancel?()
    }

    /// Runs `operation`, cancelling it when an interrupt arrives (at once if one already has).
    func cancellable<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await operation() }
        let alreadyInterrupted = lock.withLock {
            cancelCurrent = { task.cancel() }
            return signal != nil
        }
        if alreadyInterrupted { task.cancel() }
        defer { lock.withLock { cancelCurrent = nil } }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Stops listening; the interrupts' default action is back.
    func stop() {
        listener?.cancel()
    }
}
