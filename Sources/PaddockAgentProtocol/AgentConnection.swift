import Glibc

/// A blocking client for one exec on paddock-init's unix socket, for use on a thread.
///
/// `start` sends the request, `nextEvent` reads the agent's events one at a time. Input
/// (`writeStdin`, `closeStdin`, `signal`) is queued and written while `nextEvent` waits, so
/// a large stdin never deadlocks against a large output. The queueing methods and
/// `disconnect` may be called from any thread; `nextEvent` from one thread at a time.
public final class AgentConnection: @unchecked Sendable {
    private let socket: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let lock = ProtocolLock()
    // Guarded by `lock`.
    private var outgoing: [UInt8] = []
    private var outgoingStart = 0
    private var peerGone = false
    // Owned by the thread calling `nextEvent`.
    private var decoder = AgentFrameDecoder()
    private var sawHello = false
    private var finished = false
    private let receiveBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 8)

    /// Connects to the agent listening at `socketPath`.
    public init(socketPath: String) throws(AgentError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !pathBytes.isEmpty, pathBytes.count < capacity else {
            receiveBuffer.deallocate()
            throw AgentError(.invalidArgument, "socket path too long or empty: \(socketPath)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            receiveBuffer.deallocate()
            throw AgentError.posix("socket")
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let error = AgentError.posix("connect \(socketPath)")
            Glibc.close(fd)
            receiveBuffer.deallocate()
            throw error
        }
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            let error = AgentError.posix("socketpair")
            Glibc.close(fd)
            receiveBuffer.deallocate()
            throw error
        }
        for end in pair { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        socket = fd
        wakeRead = pair[0]
        wakeWrite = pair[1]
    }

    deinit {
        Glibc.close(socket)
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
        receiveBuffer.deallocate()
    }

    /// Sends `hello` and the request; events follow through `nextEvent`.
    public func start(_ request: ExecRequest) throws(AgentError) {
        enqueue(AgentFrame.hello(version: AgentProtocol.version).encoded() + AgentFrame.exec(request).encoded())
        flush()
    }

    /// Queues bytes for the command's stdin (the request must say `stdinFollows`).
    public func writeStdin(_ bytes: [UInt8]) {
        var frames: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + AgentProtocol.chunkSize)
            frames += bytes[offset..<end].withUnsafeBytes { AgentFrame.chunk(.stdin, $0) }
            offset = end
        }
        enqueue(frames)
    }

    /// Queues the end of stdin: the command reads end-of-file once the bytes before it are read.
    public func closeStdin() {
        enqueue(AgentFrame.stdinEnd.encoded())
    }

    /// Queues a signal for the command's whole process group (SIGTERM, SIGKILL, …).
    public func signal(_ number: Int32) {
        enqueue(AgentFrame.signal(number).encoded())
    }

    /// Ends the conversation from any thread: the agent kills the process group, and a
    /// waiting `nextEvent` throws `closed`.
    public func disconnect() {
        _ = Glibc.shutdown(socket, Int32(SHUT_RDWR))
    }

    /// The next event, or nil after `exit`. Throws the agent's `error` frame, `closed` if
    /// the connection ends before `exit`, `timedOut` if nothing arrives in `timeoutMs`.
    public func nextEvent(timeoutMs: Int? = nil) throws(AgentError) -> AgentEvent? {
        guard !finished else { return nil }
        let deadline = timeoutMs.map { monotonicMilliseconds() + $0 }
        while true {
            while let frame = try decoder.next() {
                if let event = try accept(frame) { return event }
            }
            flush()
            var fds = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            if hasOutgoing() { fds[0].events |= Int16(POLLOUT) }
            let wait = deadline.map { Int32(clamping: max(0, $0 - monotonicMilliseconds())) } ?? -1
            let ready = poll(&fds, 2, wait)
            if ready < 0 {
                if errno == EINTR { continue }
                throw AgentError.posix("poll")
            }
            if ready == 0 {
                throw AgentError(.timedOut, "no frame from the agent within \(timeoutMs ?? 0) ms")
            }
            if fds[1].revents != 0 { drainWake() }
            if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                let count = recv(socket, receiveBuffer.baseAddress, receiveBuffer.count, Int32(MSG_DONTWAIT))
                if count < 0 {
                    if errno == EAGAIN || errno == EINTR { continue }
                    finished = true
                    throw AgentError.posix("recv")
                }
                if count == 0 {
                    finished = true
                    throw AgentError(.closed, "the agent closed the connection before the exit frame")
                }
                decoder.append(UnsafeRawBufferPointer(rebasing: receiveBuffer[0..<count]))
            }
        }
    }

    /// Runs `request` to the end: sends `stdin` (if the request says `stdinFollows`), collects
    /// the output within the request's caps and returns it with the exit status.
    public func run(_ request: ExecRequest, stdin: [UInt8] = [], receiveTimeoutMs: Int? = nil)
        throws(AgentError) -> AgentExecResult {
        guard request.stdinFollows || stdin.isEmpty else {
            throw AgentError(.invalidArgument, "stdin given but the request does not say stdinFollows")
        }
        try start(request)
        if request.stdinFollows {
            writeStdin(stdin)
            closeStdin()
        }
        var result = AgentExecResult(maxStdoutBytes: request.maxStdoutBytes, maxStderrBytes: request.maxStderrBytes)
        while let event = try nextEvent(timeoutMs: receiveTimeoutMs) {
            result.collect(event)
        }
        return result
    }

    private func accept(_ frame: AgentFrame) throws(AgentError) -> AgentEvent? {
        switch frame {
        case .hello(let version):
            guard !sawHello else { throw violation("a second hello") }
            guard version == AgentProtocol.version else {
                finished = true
                throw AgentError(.unsupported, "agent speaks protocol \(version), this server \(AgentProtocol.version)")
            }
            sawHello = true
            return nil
        case .error(let error):
            finished = true
            throw error
        case .started(let pid) where sawHello: return .started(pid: pid)
        case .stdout(let bytes) where sawHello: return .stdout(bytes)
        case .stderr(let bytes) where sawHello: return .stderr(bytes)
        case .exit(let exit) where sawHello:
            finished = true
            return .exit(exit)
        default:
            throw violation("an unexpected \(frame.type) frame")
        }
    }

    private func violation(_ what: String) -> AgentError {
        finished = true
        return AgentError(.protocolViolation, "the agent sent \(what)")
    }

    private func enqueue(_ bytes: [UInt8]) {
        lock.withLock {
            if !peerGone { outgoing += bytes }
        }
        var one: UInt8 = 1
        _ = Glibc.write(wakeWrite, &one, 1)
    }

    private func hasOutgoing() -> Bool {
        lock.withLock { outgoingStart < outgoing.count }
    }

    /// Writes what the socket takes without blocking. A peer that stopped reading has
    /// ended the exec; its last frames are still read, so the queue is dropped silently.
    private func flush() {
        lock.withLock {
            while outgoingStart < outgoing.count {
                let sent = outgoing[outgoingStart...].withUnsafeBytes {
                    send(socket, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
                }
                if sent > 0 {
                    outgoingStart += sent
                } else if errno == EINTR {
                    continue
                } else if errno == EAGAIN {
                    break
                } else {
                    peerGone = true
                    outgoingStart = outgoing.count
                }
            }
            if outgoingStart == outgoing.count {
                outgoing.removeAll(keepingCapacity: outgoing.count < (1 << 20))
                outgoingStart = 0
            }
        }
    }

    private func drainWake() {
        var scratch = [UInt8](repeating: 0, count: 64)
        while Glibc.read(wakeRead, &scratch, scratch.count) > 0 {}
    }
}

/// Milliseconds on the monotonic clock.
func monotonicMilliseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return now.tv_sec * 1000 + now.tv_nsec / 1_000_000
}

/// A pthread mutex (no Foundation here): the connection's little shared state, and
/// paddock-init's child table.
package final class ProtocolLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    package init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    package func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
