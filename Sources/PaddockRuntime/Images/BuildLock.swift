#if canImport(Glibc)
import Glibc
#endif
import PaddockCore

/// An exclusive `flock(2)` on a file, so that builders in other processes (or other builder
/// instances in this one) sharing an images directory build one key once instead of racing.
/// The lock dies with its holder, so a killed build never leaves it held.
final class BuildLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Waits until the lock at `path` is free (polling, so no thread blocks), then holds it until
    /// `release()` (or until the value is freed).
    static func acquire(_ path: String) async throws(PaddockError) -> BuildLock {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw PaddockError(.internal, "cannot open lock file \(path): \(String(cString: strerror(errno)))")
        }
        let lock = BuildLock(descriptor: descriptor)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw PaddockError(.internal, "cannot lock \(path): \(String(cString: strerror(errno)))")
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return lock
    }

    /// Lets the next waiter in (also done when the value is freed).
    func release() {
        flock(descriptor, LOCK_UN)
    }
}
