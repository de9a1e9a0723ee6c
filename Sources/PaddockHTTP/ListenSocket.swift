#if canImport(Glibc)
import Glibc
#endif

/// A bound, listening, non-blocking TCP socket, opened by the server itself so that an
/// ephemeral port can be read back and IPv4 and IPv6 literals are handled alike.
struct ListenSocket {
    let descriptor: Int32
    let port: Int

    /// Binds `host:port` and listens.
    static func open(host: String, port: Int, backlog: Int) throws -> ListenSocket {
        guard (0...65535).contains(port) else { throw HTTPServerError("port \(port) is not in 0...65535") }
        var literal = host
        if literal.hasPrefix("[") && literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        if literal == "localhost" { literal = "127.0.0.1" }

        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        let family: Int32
        if inet_pton(AF_INET, literal, &v4.sin_addr) == 1 {
            family = AF_INET
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port).bigEndian)
        } else if inet_pton(AF_INET6, literal, &v6.sin6_addr) == 1 {
            family = AF_INET6
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(port).bigEndian)
        } else {
            throw HTTPServerError("host '\(host)' is not an IPv4 or IPv6 address; use e.g. 127.0.0.1 or ::1")
        }

        let fd = socket(family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw HTTPServerError("socket() failed: \(Self.errorText())") }
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))

        let bound: Int32 = family == AF_INET
            ? withUnsafePointer(to: &v4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            : withUnsafePointer(to: &v6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        guard bound == 0 else {
            let text = Self.errorText()
            close(fd)
            throw HTTPServerError("cannot bind \(host):\(port): \(text)")
        }
        guard listen(fd, Int32(clamping: max(1, backlog))) == 0 else {
            let text = Self.errorText()
            close(fd)
            throw HTTPServerError("cannot listen on \(host):\(port): \(text)")
        }

        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            let text = Self.errorText()
            close(fd)
            throw HTTPServerError("getsockname() failed: \(text)")
        }
        let networkPort: UInt16 = withUnsafePointer(to: &storage) { pointer in
            family == AF_INET
                ? pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }
                : pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port }
        }
        return ListenSocket(descriptor: fd, port: Int(UInt16(bigEndian: networkPort)))
    }

    /// The text form of a peer address (`127.0.0.1`, `::1`), or "" for other families.
    static func addressText(_ address: UnsafePointer<sockaddr>) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer -> String in
            guard let base = buffer.baseAddress else { return "" }
            let family = Int32(address.pointee.sa_family)
            let written: UnsafePointer<CChar>?
            switch family {
            case AF_INET:
                written = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                    var addr = v4.pointee.sin_addr
                    return inet_ntop(AF_INET, &addr, base, 64)
                }
            case AF_INET6:
                written = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                    var addr = v6.pointee.sin6_addr
                    return inet_ntop(AF_INET6, &addr, base, 64)
                }
            default:
                written = nil
            }
            guard written != nil else { return "" }
            return String(cString: base)
        }
    }

    private static func errorText() -> String {
        String(cString: strerror(errno))
    }
}
