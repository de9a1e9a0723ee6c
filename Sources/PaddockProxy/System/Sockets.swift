import Glibc
import PaddockCore

/// Thin wrappers over the socket calls the gateway makes; every descriptor is non-blocking and
/// close-on-exec. Failures come back as `errno` values or `PaddockError`.
enum Sockets {
    /// The text of an `errno` value.
    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// A `sockaddr_in` for `address:port`.
    static func socketAddress(_ address: IPv4Address, port: Int) -> sockaddr_in {
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        socketAddress.sin_addr = in_addr(s_addr: address.value.bigEndian)
        return socketAddress
    }

    /// The address and port of a `sockaddr_in`.
    static func endpoint(_ socketAddress: sockaddr_in) -> (IPv4Address, Int) {
        (IPv4Address(UInt32(bigEndian: socketAddress.sin_addr.s_addr)), Int(UInt16(bigEndian: socketAddress.sin_port)))
    }

    /// A new non-blocking IPv4 socket of `type` (`SOCK_STREAM` or `SOCK_DGRAM`).
    static func makeSocket(_ type: __socket_type) -> Int32 {
        socket(AF_INET, Int32(type.rawValue) | LinuxCalls.nonBlocking | LinuxCalls.closeOnExec, 0)
    }

    /// Binds a new socket to `address:port` (port 0 picks one); TCP sockets also listen.
    static func bound(_ type: __socket_type, address: IPv4Address, port: Int, what: String) throws(PaddockError) -> Int32 {
        let fd = makeSocket(type)
        guard fd >= 0 else { throw PaddockError(.internal, "egress \(what): socket: \(describe(errno))") }
        setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        var socketAddress = socketAddress(address, port: port)
        let bindResult = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bindResult == 0 else {
            let code = errno
            close(fd)
            throw PaddockError(.internal, "egress \(what): cannot bind \(address):\(port): \(describe(code))")
        }
        if type == SOCK_STREAM, listen(fd, 1024) != 0 {
            let code = errno
            close(fd)
            throw PaddockError(.internal, "egress \(what): cannot listen on \(address):\(port): \(describe(code))")
        }
        return fd
    }

    /// Sets an integer socket option, ignoring failure (used for best-effort tuning).
    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        _ = setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// The local address and port a socket is bound to.
    static func localEndpoint(_ fd: Int32) -> (IPv4Address, Int)? {
        var socketAddress = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return result == 0 ? endpoint(socketAddress) : nil
    }

    /// Where a connection redirected by nftables was going (`SO_ORIGINAL_DST`); nil when it was
    /// not redirected (no conntrack entry, or the entry is the listener's own address).
    static func originalDestination(_ fd: Int32) -> (IPv4Address, Int)? {
        var socketAddress = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        guard getsockopt(fd, SOL_IP, LinuxCalls.originalDestination, &socketAddress, &length) == 0 else { return nil }
        let original = endpoint(socketAddress)
        if let local = localEndpoint(fd), local == original { return nil }
        return original
    }

    /// Starts a non-blocking connect to `address:port`: the socket, and 0 or `EINPROGRESS` on
    /// success, else the `errno` of the failure (the socket is then closed and -1).
    static func startConnect(to address: IPv4Address, port: Int) -> (fd: Int32, error: Int32) {
        let fd = makeSocket(SOCK_STREAM)
        guard fd >= 0 else { return (-1, errno) }
        setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        var socketAddress = socketAddress(address, port: port)
        let result = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result == 0 { return (fd, 0) }
        let code = errno
        if code == EINPROGRESS { return (fd, EINPROGRESS) }
        close(fd)
        return (-1, code)
    }

    /// The pending error of a socket (`SO_ERROR`), 0 when none.
    static func pendingError(_ fd: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) == 0 else { return errno }
        return value
    }

    /// Closes with a TCP reset instead of an orderly FIN (`SO_LINGER` with a zero timeout).
    static func closeWithReset(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close(fd)
    }

    /// Writes as much of `bytes` as the socket takes now: the count written, or -1 with `errno`
    /// set (`EAGAIN` when nothing fits). Never raises `SIGPIPE`.
    static func send(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
