import Foundation
import Glibc
import PaddockCore

/// Runs work inside another network namespace: a fresh thread joins the namespace with
/// `setns(2)`, runs the body and ends, so no thread of the process ever returns to a pool
/// in the wrong namespace. Sockets made by the body stay in that namespace.
enum NamespaceThread {
    /// `CLONE_NEWNET`.
    private static let newNetworkNamespace: Int32 = 0x4000_0000

    /// `setns(2)` (a GNU extension the Swift Glibc module does not show).
    private static let setns: (@convention(c) (Int32, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "setns") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
    }()

    /// Runs `body` in the network namespace bound at `path` on a fresh thread and returns its
    /// result, without blocking a thread of the cooperative pool.
    static func run<T: Sendable>(inNamespaceAt path: String,
                                 _ body: @escaping @Sendable () throws(PaddockError) -> T) async throws(PaddockError) -> T {
        let result: Result<T, PaddockError> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: Result { () throws(PaddockError) -> T in
                    try enter(path)
                    return try body()
                })
            }
        }
        return try result.get()
    }

    /// Moves the calling thread into the namespace at `path`; only ever called on a thread
    /// that ends right after its work.
    private static func enter(_ path: String) throws(PaddockError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw PaddockError(.internal, "cannot open network namespace \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard let setns = Self.setns, setns(fd, Self.newNetworkNamespace) == 0 else {
            throw PaddockError(.internal, "cannot enter network namespace \(path): \(String(cString: strerror(errno)))")
        }
    }
}
