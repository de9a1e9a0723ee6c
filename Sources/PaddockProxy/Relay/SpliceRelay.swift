import Glibc

/// Moves bytes both ways between a client and its upstream with `splice(2)` through one pipe
/// per direction, so payload never enters this process: memory stays the same however many
/// bytes pass. Bytes the gateway already holds (a rewritten request head, a ClientHello it
/// read) are written first with `send`. Half-closes are forwarded with `shutdown(SHUT_WR)`.
///
/// Both sockets are registered edge-triggered for reading and writing; the relay remembers
/// which side is readable or writable and tries until the kernel says `EAGAIN`.
/// Loop thread only.
final class SpliceRelay {
    /// One direction: from `source` through the pipe to `destination`.
    final class Direction {
        let source: Int32
        let destination: Int32
        let pipeRead: Int32
        let pipeWrite: Int32
        let pipeCapacity: Int
        /// Bytes spliced into the pipe and not yet out of it.
        var inPipe = 0
        /// Bytes to send before anything from the pipe.
        var prefix: [UInt8]
        var prefixSent = 0
        /// The source sent its FIN (or failed).
        var sourceEnded = false
        /// The FIN was forwarded to the destination.
        var finished = false
        /// Bytes written to the destination.
        var bytes: Int64 = 0

        init(source: Int32, destination: Int32, pipe: (Int32, Int32), capacity: Int, prefix: [UInt8]) {
            self.source = source
            self.destination = destination
            pipeRead = pipe.0
            pipeWrite = pipe.1
            pipeCapacity = capacity
            self.prefix = prefix
        }

        var prefixDone: Bool { prefixSent == prefix.count }
    }

    /// What a pump round left behind.
    enum State {
        /// Waiting for the sockets.
        case open
        /// More could move right now, but the round's budget is spent: pump again soon.
        case busy
        /// Both directions ended cleanly.
        case finished
        /// A socket failed (reset, broken pipe).
        case broken
    }

    /// From the client to the upstream.
    let up: Direction
    /// From the upstream to the client.
    let down: Direction
    private(set) var lastActivity: UInt64
    private var clientReadable = true
    private var clientWritable = true
    private var upstreamReadable = true
    private var upstreamWritable = true

    /// The most bytes one direction moves per pump before yielding to other connections.
    static let budget = 1 << 20

    /// Creates the pipes; nil when the process is out of descriptors.
    init?(client: Int32, upstream: Int32, upPrefix: [UInt8], pipeSize: Int) {
        guard let upPipe = Self.makePipe(size: pipeSize) else { return nil }
        guard let downPipe = Self.makePipe(size: pipeSize) else {
            close(upPipe.fds.0)
            close(upPipe.fds.1)
            return nil
        }
        up = Direction(source: client, destination: upstream, pipe: upPipe.fds, capacity: upPipe.capacity, prefix: upPrefix)
        down = Direction(source: upstream, destination: client, pipe: downPipe.fds, capacity: downPipe.capacity, prefix: [])
        lastActivity = EventLoop.now()
    }

    private static func makePipe(size: Int) -> (fds: (Int32, Int32), capacity: Int)? {
        guard let fds = LinuxCalls.makePipe() else { return nil }
        var capacity = Int(fcntl(fds.1, LinuxCalls.setPipeSize, Int32(size)))
        if capacity <= 0 { capacity = Int(fcntl(fds.1, LinuxCalls.setPipeSize + 1)) }  // F_GETPIPE_SZ
        return (fds, capacity > 0 ? capacity : 65_536)
    }

    /// Notes readiness reported for the client (`isClient`) or upstream socket.
    func noteEvents(_ events: UInt32, isClient: Bool) {
        let failed = events & (LinuxCalls.epollErr | LinuxCalls.epollHup) != 0
        let readable = failed || events & (LinuxCalls.epollIn | LinuxCalls.epollRdHup) != 0
        let writable = failed || events & LinuxCalls.epollOut != 0
        if isClient {
            clientReadable = clientReadable || readable
            clientWritable = clientWritable || writable
        } else {
            upstreamReadable = upstreamReadable || readable
            upstreamWritable = upstreamWritable || writable
        }
    }

    /// Moves what can move now in both directions.
    func pump() -> State {
        let upState = pump(up, readable: &clientReadable, writable: &upstreamWritable)
        let downState = pump(down, readable: &upstreamReadable, writable: &clientWritable)
        if upState == .broken || downState == .broken { return .broken }
        if up.finished && down.finished { return .finished }
        if upState == .busy || downState == .busy { return .busy }
        return .open
    }

    private func pump(_ direction: Direction, readable: inout Bool, writable: inout Bool) -> State {
        var moved = 0
        while true {
            var progress = false
            if !direction.prefixDone, writable {
                let count = Sockets.send(direction.destination, direction.prefix[direction.prefixSent...])
                if count > 0 {
                    direction.prefixSent += count
                    direction.bytes += Int64(count)
                    progress = true
                    if direction.prefixDone { direction.prefix = [] ; direction.prefixSent = 0 }
                } else if errno == EAGAIN {
                    writable = false
                } else {
                    return .broken
                }
            }
            if !direction.sourceEnded, readable, direction.inPipe < direction.pipeCapacity {
                let count = LinuxCalls.splice(from: direction.source, to: direction.pipeWrite,
                                              count: direction.pipeCapacity - direction.inPipe)
                if count > 0 {
                    direction.inPipe += count
                    moved += count
                    progress = true
                } else if count == 0 {
                    direction.sourceEnded = true
                    progress = true
                } else if errno == EAGAIN {
                    // With bytes in the pipe, EAGAIN may mean the pipe's slots are full rather
                    // than the socket empty: keep trying after the pipe drains.
                    if direction.inPipe == 0 { readable = false }
                } else if errno != EINTR {
                    return .broken
                }
            }
            if direction.prefixDone, direction.inPipe > 0, writable {
                let count = LinuxCalls.splice(from: direction.pipeRead, to: direction.destination, count: direction.inPipe)
                if count > 0 {
                    direction.inPipe -= count
                    direction.bytes += Int64(count)
                    progress = true
                } else if count < 0, errno == EAGAIN {
                    writable = false
                } else if count < 0, errno != EINTR {
                    return .broken
                }
            }
            if direction.sourceEnded, direction.inPipe == 0, direction.prefixDone, !direction.finished {
                direction.finished = true
                _ = shutdown(direction.destination, Int32(SHUT_WR))
            }
            if progress { lastActivity = EventLoop.now() }
            if !progress { return .open }
            if moved >= Self.budget { return .busy }
        }
    }

    /// Closes the pipes (the sockets belong to the connection).
    func closePipes() {
        for fd in [up.pipeRead, up.pipeWrite, down.pipeRead, down.pipeWrite] { close(fd) }
    }
}
