import Dispatch
import Glibc
import PaddockCore

/// One run of an external program with an argv array (never a shell): `posix_spawn` with
/// default signal handling, stdin from `/dev/null`, no file descriptor but 0–2 inherited, and
/// stdout/stderr captured through pipes or sent to a file.
struct RuncInvocation: Sendable {
    /// Where the child's stdout or stderr goes.
    enum Sink: Sendable, Equatable {
        /// Captured and returned.
        case capture
        /// `/dev/null`.
        case discard
        /// Appended to this file (created 0600).
        case file(String)
    }

    /// What the child did.
    struct Outcome: Sendable {
        /// The exit code, or 128 + the signal that killed it.
        var status: Int32
        /// Captured stdout (empty unless ``Sink/capture``).
        var stdout: [UInt8]
        /// Captured stderr (empty unless ``Sink/capture``).
        var stderr: [UInt8]
    }

    /// The program's absolute path.
    var executable: String
    /// The arguments after `argv[0]`.
    var arguments: [String]
    /// Where stdout goes.
    var stdout: Sink = .capture
    /// Where stderr goes.
    var stderr: Sink = .capture
    /// When set, captured output is delivered here line by line as it arrives instead of being
    /// kept (the outcome's `stdout` and `stderr` stay empty).
    var onLine: (@Sendable (ContainerOutputLine) -> Void)? = nil

    /// Blocking work runs here, off the Swift concurrency pool.
    private static let queue = DispatchQueue(label: "paddock.runtime.subprocess", attributes: .concurrent)

    /// Runs the program to completion without blocking the caller's thread.
    func run() async throws(PaddockError) -> Outcome {
        let result: Result<Outcome, PaddockError> = await withCheckedContinuation { continuation in
            Self.queue.async {
                continuation.resume(returning: Result { () throws(PaddockError) in try runBlocking() })
            }
        }
        return try result.get()
    }

    /// Spawns, drains both pipes, and reaps the child.
    func runBlocking() throws(PaddockError) -> Outcome {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32] = []  // read ends of capture pipes, in order stdout, stderr
        var childFds: [Int32] = []    // fds to close in the parent after spawning
        defer { for fd in childFds + parentEnds { close(fd) } }

        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard null >= 0 else { throw Self.failure("open /dev/null", errno) }
        childFds.append(null)
        posix_spawn_file_actions_adddup2(&actions, null, 0)
        var readEnds: [Int32?] = []
        for (sink, target) in [(stdout, Int32(1)), (stderr, Int32(2))] {
            switch sink {
            case .discard:
                posix_spawn_file_actions_adddup2(&actions, null, target)
                readEnds.append(nil)
            case .file(let path):
                let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw Self.failure("open \(path)", errno) }
                childFds.append(fd)
                posix_spawn_file_actions_adddup2(&actions, fd, target)
                readEnds.append(nil)
            case .capture:
                var fds: [Int32] = [-1, -1]
                guard Self.makePipe(&fds) == 0 else { throw Self.failure("pipe", errno) }
                parentEnds.append(fds[0])
                childFds.append(fds[1])
                posix_spawn_file_actions_adddup2(&actions, fds[1], target)
                readEnds.append(fds[0])
            }
        }
        _ = Self.closeFrom?(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw Self.failure("spawn \(executable)", spawned) }
        for fd in childFds { close(fd) }
        childFds = []

        let streams = zip([ContainerOutputStream.stdout, .stderr], readEnds).compactMap { $1 == nil ? nil : $0 }
        let captured = Self.drain(readEnds.compactMap { $0 }, streams: streams, onLine: onLine)
        var outputs: [[UInt8]] = []
        var next = 0
        for end in readEnds {
            if end == nil { outputs.append([]) } else { outputs.append(captured[next]); next += 1 }
        }
        return Outcome(status: try Self.reap(pid), stdout: outputs[0], stderr: outputs[1])
    }

    /// Reads every fd until end of file, all at once so that no pipe fills while another is read;
    /// with `onLine`, hands over lines (fd `i` being `streams[i]`) instead of keeping the bytes.
    private static func drain(_ fds: [Int32], streams: [ContainerOutputStream],
                              onLine: (@Sendable (ContainerOutputLine) -> Void)?) -> [[UInt8]] {
        var buffers = [[UInt8]](repeating: [], count: fds.count)
        var splitters = streams.map { OutputLineSplitter(stream: $0) }
        var pending = Set(fds.indices)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !pending.isEmpty {
            var polled = pending.sorted().map { pollfd(fd: fds[$0], events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polled, nfds_t(polled.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in polled where entry.revents != 0 {
                guard let index = fds.firstIndex(of: entry.fd) else { continue }
                let count = chunk.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if let onLine {
                        splitters[index].append(chunk[0..<count]).forEach(onLine)
                    } else {
                        buffers[index].append(contentsOf: chunk[0..<count])
                    }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    pending.remove(index)
                    if let onLine, let last = splitters[index].finish() { onLine(last) }
                }
            }
        }
        return buffers
    }

    /// Waits for `pid` and decodes its status.
    private static func reap(_ pid: pid_t) throws(PaddockError) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw failure("wait for pid \(pid)", errno) }
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// `pipe2(O_CLOEXEC)`, so that no other child spawned meanwhile inherits the pipe (which
    /// would hold it open); `pipe2` is a GNU extension the Glibc module does not import.
    private static func makePipe(_ fds: inout [Int32]) -> Int32 {
        typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
        if let symbol = dlsym(nil, "pipe2") {
            return fds.withUnsafeMutableBufferPointer { unsafeBitCast(symbol, to: Pipe2.self)($0.baseAddress!, O_CLOEXEC) }
        }
        guard pipe(&fds) == 0 else { return -1 }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return 0
    }

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+, a GNU extension): the child
    /// closes every descriptor from 3 up, whatever the rest of the server has open.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(
            symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    private static func failure(_ what: String, _ code: Int32) -> PaddockError {
        PaddockError(.internal, "cannot \(what): \(String(cString: strerror(code)))")
    }
}
