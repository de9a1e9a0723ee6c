import Dispatch

/// Runs the store actor on its own serial dispatch queue instead of the cooperative pool.
///
/// SQLite calls block (a `synchronous=FULL` commit waits for fsync); on a 2-core machine the
/// cooperative pool has two threads, and the store must not take one of them away from the
/// HTTP handlers while it waits for the disk.
final class StoreExecutor: SerialExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
