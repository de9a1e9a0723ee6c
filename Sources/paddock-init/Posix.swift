import Glibc

// Thin wrappers over the system calls paddock-init needs. Some GNU extensions (`pipe2`,
// `accept4`, `prctl`) are not imported by the Glibc module, so they are looked up once with
// `dlsym`; their C signatures are fixed by the ABI.

private typealias Pipe2Function = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
private typealias Accept4Function = @convention(c) (Int32, UnsafeMutablePointer<sockaddr>?,
                                                    UnsafeMutablePointer<socklen_t>?, Int32) -> Int32
private typealias PrctlFunction = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32

private func libcSymbol<T>(_ name: String, as type: T.Type) -> T {
    // RTLD_DEFAULT is the null handle in glibc.
    guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else {
        fatalError("paddock-init: libc has no \(name)")
    }
    return unsafeBitCast(address, to: type)
}

private let pipe2Function = libcSymbol("pipe2", as: Pipe2Function.self)
private let accept4Function = libcSymbol("accept4", as: Accept4Function.self)
private let prctlFunction = libcSymbol("prctl", as: PrctlFunction.self)

/// An error of a system call: what was attempted and the errno text.
struct SystemError: Error {
    let message: String

    init(_ operation: String, _ number: Int32 = errno) {
        message = "\(operation): \(String(cString: strerror(number)))"
    }
}

/// A pipe whose both ends are close-on-exec: `(read, write)`.
func makePipe() throws(SystemError) -> (read: Int32, write: Int32) {
    var fds: [Int32] = [-1, -1]
    guard pipe2Function(&fds, O_CLOEXEC) == 0 else { throw SystemError("pipe2") }
    return (fds[0], fds[1])
}

/// Accepts a connection as a close-on-exec descriptor; -1 with errno set on failure.
func acceptConnection(_ listener: Int32) -> Int32 {
    accept4Function(listener, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
}

/// Makes this process the reaper of its descendants' orphans (`PR_SET_CHILD_SUBREAPER`).
func becomeSubreaper() -> Bool {
    prctlFunction(36, 1, 0, 0, 0) == 0
}

/// Sets or clears `O_NONBLOCK`.
func setNonBlocking(_ fd: Int32) {
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
}

/// Writes all of `bytes` to a blocking descriptor; false if the peer is gone.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}

/// The contents of a small file, or nil if it cannot be read.
func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while bytes.count < 1 << 20 {
        let count = read(fd, &chunk, chunk.count)
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { break }
        bytes += chunk[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// True if `path` names a directory (following symlinks).
func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
}

/// Milliseconds on the monotonic clock.
func monotonicMilliseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return now.tv_sec * 1000 + now.tv_nsec / 1_000_000
}

/// One line on stderr, prefixed with the program name.
func log(_ message: String) {
    let line = Array("paddock-init: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}


private final class ThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// Runs `body` on a new detached thread.
func startThread(_ body: @escaping @Sendable () -> Void) throws(SystemError) {
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(&thread, nil, { context in
        Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
        return nil
    }, context)
    guard result == 0 else {
        Unmanaged<ThreadBody>.fromOpaque(context).release()
        throw SystemError("pthread_create", result)
    }
    pthread_detach(thread)
}

/// How a child ended, decoded from a `waitpid` status.
struct ChildStatus: Sendable, Equatable {
    /// The exit code, when it exited.
    let exitCode: Int?
    /// The signal that killed it, when a signal did.
    let signal: Int?

    init(waitStatus: Int32) {
        let low = waitStatus & 0x7f
        if low == 0 {
            exitCode = Int((waitStatus >> 8) & 0xff)
            signal = nil
        } else {
            exitCode = nil
            signal = Int(low)
        }
    }
}
