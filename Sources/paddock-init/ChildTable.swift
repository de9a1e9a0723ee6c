import Glibc
import PaddockAgentProtocol

/// The main process of one exec, watched until the reaper collects its exit status.
///
/// The reaper stores the status and writes a byte to `wakeRead`'s pipe, so the exec's poll
/// loop wakes up; the exec then reads the status with `ChildTable.status(of:)`.
final class ChildWatch: @unchecked Sendable {
    /// Becomes readable once the status is known.
    let wakeRead: Int32
    private let wakeWrite: Int32
    /// Guarded by the table's lock.
    fileprivate var status: ChildStatus?

    init() throws(SystemError) {
        let pipe = try makePipe()
        setNonBlocking(pipe.read)
        setNonBlocking(pipe.write)
        wakeRead = pipe.read
        wakeWrite = pipe.write
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    fileprivate func wake() {
        var one: UInt8 = 1
        _ = write(wakeWrite, &one, 1)
    }

    /// Empties the wake pipe.
    func drain() {
        var scratch = (UInt64(0), UInt64(0))
        while withUnsafeMutableBytes(of: &scratch, { read(wakeRead, $0.baseAddress, $0.count) }) > 0 {}
    }
}

/// The pids of running execs, shared by the exec threads and the reaper.
///
/// The reaper collects every child with `waitpid(-1)` (orphans too: paddock-init is PID 1
/// or a child subreaper), and hands the status of an exec's main process to that exec
/// instead of dropping it. A fork happens under the same lock as reaping, so a child that
/// exits at once is registered before anyone can reap it.
final class ChildTable: @unchecked Sendable {
    private let lock = ProtocolLock()
    private var watches: [pid_t: ChildWatch] = [:]

    /// Calls `fork` (which returns the child's pid, or -1) with reaping held off, and
    /// registers the new pid with `watch`.
    func spawn(_ watch: ChildWatch, fork: () -> pid_t) -> pid_t {
        lock.withLock {
            let pid = fork()
            if pid > 0 { watches[pid] = watch }
            return pid
        }
    }

    /// The exit status of the process `watch` belongs to, once reaped.
    func status(of watch: ChildWatch) -> ChildStatus? {
        lock.withLock { watch.status }
    }

    /// The process groups of the execs still running.
    func runningGroups() -> [pid_t] {
        lock.withLock { Array(watches.keys) }
    }

    /// Collects every exited child; returns false once no child is left at all.
    @discardableResult
    func reapAll() -> Bool {
        lock.withLock {
            while true {
                var waitStatus: Int32 = 0
                let pid = waitpid(-1, &waitStatus, WNOHANG)
                if pid > 0 {
                    if let watch = watches.removeValue(forKey: pid) {
                        watch.status = ChildStatus(waitStatus: waitStatus)
                        watch.wake()
                    }
                    continue
                }
                if pid == 0 { return true }
                if errno == EINTR { continue }
                return false
            }
        }
    }
}

/// The signals the reaper thread waits for; blocked in every thread.
func agentSignalSet() -> sigset_t {
    var set = sigset_t()
    sigemptyset(&set)
    for signal in [SIGCHLD, SIGTERM, SIGINT] { sigaddset(&set, signal) }
    return set
}

/// The reaper thread: collects children on SIGCHLD and shuts down on SIGTERM or SIGINT.
func runSignalLoop(table: ChildTable, isInit: Bool, socketPath: String) -> Never {
    var set = agentSignalSet()
    while true {
        var received: Int32 = 0
        guard sigwait(&set, &received) == 0 else { continue }
        if received == SIGCHLD {
            table.reapAll()
        } else {
            shutDown(table: table, isInit: isInit, socketPath: socketPath, signal: received)
        }
    }
}

/// Forwards `signal` to every process (as PID 1) or to every exec's process group (as an
/// ordinary process), waits up to three seconds for them, kills what is left and exits.
private func shutDown(table: ChildTable, isInit: Bool, socketPath: String, signal: Int32) -> Never {
    log("signal \(signal): stopping")
    unlink(socketPath)
    func signalAll(_ number: Int32) {
        if isInit {
            kill(-1, number)
        } else {
            for group in table.runningGroups() { kill(-group, number) }
        }
    }
    signalAll(signal)
    let deadline = monotonicMilliseconds() + 3000
    while monotonicMilliseconds() < deadline {
        let childrenLeft = table.reapAll()
        if isInit ? !childrenLeft : table.runningGroups().isEmpty { break }
        usleep(10_000)
    }
    signalAll(SIGKILL)
    table.reapAll()
    exit(0)
}
