import Dispatch
import PaddockCore

/// Runs blocking system calls (file I/O, unmounting, waiting for cgroups to empty) on a
/// dispatch queue of their own, so that they never hold a thread of Swift's cooperative pool.
enum BlockingWork {
    private static let queue = DispatchQueue(label: "paddock.sessions.blocking", attributes: .concurrent)

    /// Runs `body` off the cooperative pool and returns its result.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws(PaddockError) -> T) async throws(PaddockError) -> T {
        let result: Result<T, PaddockError> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Result { () throws(PaddockError) in try body() }) }
        }
        return try result.get()
    }

    /// Runs a `body` that cannot fail off the cooperative pool.
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }
}
