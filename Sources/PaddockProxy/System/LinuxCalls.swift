import Glibc

/// The Linux calls Swift's Glibc module does not export (they sit behind `_GNU_SOURCE` or in
/// headers it does not include): epoll, eventfd, splice, pipe2 and accept4, looked up once in
/// the C library with `dlsym`, plus the constants they take.
enum LinuxCalls {
    private typealias EpollCreate1 = @convention(c) (Int32) -> Int32
    private typealias EpollCtl = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    private typealias EpollWait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    private typealias EventFD = @convention(c) (UInt32, Int32) -> Int32
    private typealias Splice = @convention(c) (Int32, UnsafeMutablePointer<Int64>?, Int32, UnsafeMutablePointer<Int64>?, Int, UInt32) -> Int
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    private typealias Accept4 = @convention(c) (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32) -> Int32

    private static func symbol<T>(_ name: String, as type: T.Type) -> T {
        guard let pointer = dlsym(nil, name) else { fatalError("the C library has no \(name)") }
        return unsafeBitCast(pointer, to: type)
    }

    private static let epollCreate1Call = symbol("epoll_create1", as: EpollCreate1.self)
    private static let epollCtlCall = symbol("epoll_ctl", as: EpollCtl.self)
    private static let epollWaitCall = symbol("epoll_wait", as: EpollWait.self)
    private static let eventFDCall = symbol("eventfd", as: EventFD.self)
    private static let spliceCall = symbol("splice", as: Splice.self)
    private static let pipe2Call = symbol("pipe2", as: Pipe2.self)
    private static let accept4Call = symbol("accept4", as: Accept4.self)

    // <sys/epoll.h>
    static let epollIn: UInt32 = 0x001
    static let epollOut: UInt32 = 0x004
    static let epollErr: UInt32 = 0x008
    static let epollHup: UInt32 = 0x010
    static let epollRdHup: UInt32 = 0x2000
    static let epollET: UInt32 = 1 << 31
    static let epollCtlAdd: Int32 = 1
    static let epollCtlDel: Int32 = 2
    static let epollCtlMod: Int32 = 3
    // <fcntl.h>, <sys/eventfd.h>, <bits/socket_type.h>: the CLOEXEC and NONBLOCK flags.
    static let closeOnExec: Int32 = 0o2000000
    static let nonBlocking: Int32 = 0o4000
    // <fcntl.h> splice flags and pipe sizing.
    static let spliceMove: UInt32 = 1
    static let spliceNonBlock: UInt32 = 2
    static let setPipeSize: Int32 = 1031
    // <linux/netfilter_ipv4.h>
    static let originalDestination: Int32 = 80

    /// The size of one `struct epoll_event` (packed on x86-64) and the offset of its data field.
    #if arch(x86_64)
    static let epollEventSize = 12
    static let epollDataOffset = 4
    #else
    static let epollEventSize = 16
    static let epollDataOffset = 8
    #endif

    static func epollCreate() -> Int32 { epollCreate1Call(closeOnExec) }

    /// `epoll_ctl` with an event of `events` carrying `token`.
    static func epollControl(_ epoll: Int32, _ operation: Int32, _ fd: Int32, events: UInt32, token: UInt64) -> Int32 {
        withUnsafeTemporaryAllocation(byteCount: epollEventSize, alignment: 8) { buffer in
            buffer.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            buffer.storeBytes(of: token, toByteOffset: epollDataOffset, as: UInt64.self)
            return epollCtlCall(epoll, operation, fd, buffer.baseAddress)
        }
    }

    /// `epoll_wait` into `buffer`, which holds `capacity` events.
    static func epollWait(_ epoll: Int32, _ buffer: UnsafeMutableRawPointer, capacity: Int32, timeoutMs: Int32) -> Int32 {
        epollWaitCall(epoll, buffer, capacity, timeoutMs)
    }

    /// The events and token of entry `index` of an `epoll_wait` buffer.
    static func epollEvent(_ buffer: UnsafeMutableRawPointer, at index: Int) -> (events: UInt32, token: UInt64) {
        let base = buffer + index * epollEventSize
        return (base.loadUnaligned(as: UInt32.self), base.loadUnaligned(fromByteOffset: epollDataOffset, as: UInt64.self))
    }

    static func eventFD() -> Int32 { eventFDCall(0, closeOnExec | nonBlocking) }

    static func splice(from source: Int32, to destination: Int32, count: Int) -> Int {
        spliceCall(source, nil, destination, nil, count, spliceMove | spliceNonBlock)
    }

    /// A non-blocking, close-on-exec pipe: (read end, write end).
    static func makePipe() -> (Int32, Int32)? {
        var fds: [Int32] = [-1, -1]
        guard pipe2Call(&fds, closeOnExec | nonBlocking) == 0 else { return nil }
        return (fds[0], fds[1])
    }

    /// `accept4` with a non-blocking, close-on-exec result.
    static func accept(_ listener: Int32) -> Int32 {
        accept4Call(listener, nil, nil, closeOnExec | nonBlocking)
    }
}
