import Foundation
import Glibc
import PaddockCore
import Synchronization

/// Receives readiness events for the descriptors it registered; called on the loop's thread only.
protocol LoopHandler: AnyObject {
    /// `events` are epoll bits (`LinuxCalls.epollIn`, …) for descriptor `fd`.
    func handle(events: UInt32, fd: Int32)
}

/// Something with a deadline the loop checks about ten times a second; loop thread only.
protocol DeadlineHandler: AnyObject {
    /// Called with the monotonic time in nanoseconds; acts if a deadline has passed.
    func checkDeadline(now: UInt64)
}

/// One epoll event-loop thread. Everything registered with it — sockets, connections,
/// listeners — is touched on its thread only; other threads hand it work with ``execute(_:)``.
/// That confinement is what makes the `@unchecked Sendable` of loop-bound classes sound.
final class EventLoop: @unchecked Sendable {
    private let epoll: Int32
    private let wakeFD: Int32
    /// Work handed in by other threads; once the loop has ended, work runs on the caller.
    private let inbox = Mutex<(work: [@Sendable () -> Void], ended: Bool)>(([], false))
    private var thread: Thread?

    // Loop thread only.
    private var registrations: [UInt64: (fd: Int32, handler: any LoopHandler)] = [:]
    private var nextToken: UInt64 = 1
    private var deferred: [() -> Void] = []
    private var timed: [ObjectIdentifier: any DeadlineHandler] = [:]
    private var stopping = false
    private var nextSweep: UInt64 = 0

    /// How often deadlines are checked, in nanoseconds.
    static let sweepInterval: UInt64 = 100_000_000
    /// The token of the wake-up eventfd.
    private static let wakeToken: UInt64 = 0
    private static let batch: Int32 = 256

    /// Creates the loop; call ``start(name:)`` to run it.
    init() throws(PaddockError) {
        epoll = LinuxCalls.epollCreate()
        guard epoll >= 0 else { throw PaddockError(.internal, "egress: epoll_create1: \(Sockets.describe(errno))") }
        wakeFD = LinuxCalls.eventFD()
        guard wakeFD >= 0 else {
            close(epoll)
            throw PaddockError(.internal, "egress: eventfd: \(Sockets.describe(errno))")
        }
        _ = LinuxCalls.epollControl(epoll, LinuxCalls.epollCtlAdd, wakeFD, events: LinuxCalls.epollIn, token: Self.wakeToken)
    }

    /// Starts the loop's thread.
    func start(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.stackSize = 1 << 20
        self.thread = thread
        thread.start()
    }

    /// Monotonic time in nanoseconds.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Runs `work` on the loop's thread soon; callable from any thread.
    func execute(_ work: @escaping @Sendable () -> Void) {
        let queued = inbox.withLock { inbox -> Bool in
            guard !inbox.ended else { return false }
            inbox.work.append(work)
            return true
        }
        guard queued else {
            work()  // the loop thread is gone, so nothing else touches its objects
            return
        }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    /// Runs `work` on the loop's thread and returns its result to the awaiting task.
    func submit<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            execute { continuation.resume(returning: work()) }
        }
    }

    /// Stops the loop after the work queued so far; its descriptors are closed by then.
    func stop() async {
        await submit { [self] in stopping = true }
    }

    // MARK: loop thread only

    /// Registers `fd` for `events`; the handler is called until ``unregister(token:fd:)``.
    /// Returns the registration's token, or nil when epoll refused it.
    func register(fd: Int32, events: UInt32, handler: any LoopHandler) -> UInt64? {
        let token = nextToken
        nextToken += 1
        guard LinuxCalls.epollControl(epoll, LinuxCalls.epollCtlAdd, fd, events: events, token: token) == 0 else { return nil }
        registrations[token] = (fd, handler)
        return token
    }

    /// Changes the events a registration waits for.
    func modify(token: UInt64, fd: Int32, events: UInt32) {
        _ = LinuxCalls.epollControl(epoll, LinuxCalls.epollCtlMod, fd, events: events, token: token)
    }

    /// Removes a registration; call before closing the descriptor.
    func unregister(token: UInt64, fd: Int32) {
        _ = LinuxCalls.epollControl(epoll, LinuxCalls.epollCtlDel, fd, events: 0, token: token)
        registrations[token] = nil
    }

    /// Runs `work` after the events of this round (used to yield between busy connections).
    func later(_ work: @escaping () -> Void) {
        deferred.append(work)
    }

    /// Starts checking `handler`'s deadline.
    func watchDeadline(_ handler: any DeadlineHandler) {
        timed[ObjectIdentifier(handler)] = handler
    }

    /// Stops checking `handler`'s deadline.
    func unwatchDeadline(_ handler: any DeadlineHandler) {
        timed[ObjectIdentifier(handler)] = nil
    }

    private func run() {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Int(Self.batch) * LinuxCalls.epollEventSize, alignment: 8)
        defer {
            buffer.deallocate()
            let leftover = inbox.withLock { inbox -> [@Sendable () -> Void] in
                inbox.ended = true
                defer { inbox.work = [] }
                return inbox.work
            }
            for item in leftover { item() }
            close(wakeFD)
            close(epoll)
        }
        while !stopping {
            let timeout: Int32 = !deferred.isEmpty ? 0 : (timed.isEmpty ? -1 : Int32(Self.sweepInterval / 1_000_000))
            let count = LinuxCalls.epollWait(epoll, buffer, capacity: Self.batch, timeoutMs: timeout)
            if count < 0, errno != EINTR { fatalError("egress: epoll_wait: \(Sockets.describe(errno))") }
            for index in 0..<max(0, Int(count)) {
                let (events, token) = LinuxCalls.epollEvent(buffer, at: index)
                if token == Self.wakeToken {
                    var value: UInt64 = 0
                    _ = read(wakeFD, &value, 8)
                } else if let registration = registrations[token] {
                    registration.handler.handle(events: events, fd: registration.fd)
                }
            }
            let work = inbox.withLock { inbox -> [@Sendable () -> Void] in
                defer { inbox.work.removeAll(keepingCapacity: true) }
                return inbox.work
            }
            for item in work { item() }
            if !deferred.isEmpty {
                let round = deferred
                deferred.removeAll(keepingCapacity: true)
                for item in round { item() }
            }
            let now = Self.now()
            if !timed.isEmpty, now >= nextSweep {
                nextSweep = now + Self.sweepInterval
                for handler in Array(timed.values) { handler.checkDeadline(now: now) }
            }
        }
    }
}
