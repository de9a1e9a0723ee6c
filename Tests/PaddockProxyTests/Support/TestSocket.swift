import Foundation
import Glibc
import PaddockCore

/// Why a blocking test socket call failed.
struct SocketFailure: Error, CustomStringConvertible {
    var description: String
}

/// A blocking TCP or UDP socket for tests, with a receive timeout so a broken gateway fails a
/// test instead of hanging it. Use it on a thread of its own (``onThread(_:)``).
final class TestSocket: @unchecked Sendable {
    let fd: Int32

    init(fd: Int32) {
        self.fd = fd
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    static func address(_ host: IPv4Address, _ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: host.value.bigEndian)
        return address
    }

    /// Connects over TCP; throws with the errno text on failure.
    static func connect(_ host: IPv4Address, _ port: Int) throws -> TestSocket {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let socket = TestSocket(fd: fd)
        var address = address(host, port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw SocketFailure(description: "connect \(host):\(port): \(String(cString: strerror(errno)))") }
        return socket
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw SocketFailure(description: "send: \(String(cString: strerror(errno)))") }
            offset += count
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Up to `max` bytes; empty at end of stream; throws on error (reset, timeout).
    func receive(max: Int = 65_536) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, 0) }
        guard count >= 0 else { throw SocketFailure(description: "recv: \(String(cString: strerror(errno)))") }
        return Array(buffer[..<count])
    }

    /// Exactly `count` bytes (fewer only if the stream ends).
    func receive(exactly count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        while out.count < count {
            let chunk = try receive(max: min(65_536, count - out.count))
            if chunk.isEmpty { break }
            out += chunk
        }
        return out
    }

    /// Everything until the peer closes.
    func receiveAll() throws -> [UInt8] {
        var out: [UInt8] = []
        while true {
            let chunk = try receive()
            if chunk.isEmpty { return out }
            out += chunk
        }
    }

    /// Bytes up to and including the first blank line (a response or request head).
    func receiveHead() throws -> String {
        var out: [UInt8] = []
        while !(out.count >= 4 && out.suffix(4).elementsEqual([13, 10, 13, 10])) {
            var byte: UInt8 = 0
            let count = recv(fd, &byte, 1, 0)
            guard count == 1 else {
                if count == 0 { return String(decoding: out, as: UTF8.self) }
                throw SocketFailure(description: "recv: \(String(cString: strerror(errno)))")
            }
            out.append(byte)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// How the peer ended the connection: "eof", "reset", or "open" if data came instead.
    func ending() -> String {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, 0)
        if count == 0 { return "eof" }
        if count < 0 { return errno == ECONNRESET ? "reset" : "error \(errno)" }
        return "open"
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }
}

/// A UDP socket for DNS tests.
final class TestDatagramSocket: @unchecked Sendable {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)

    init() {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends `query` to `host:port` and waits for one answer.
    func exchange(_ query: [UInt8], host: IPv4Address, port: Int) throws -> [UInt8] {
        var address = TestSocket.address(host, port)
        let sent = query.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard sent == query.count else { throw SocketFailure(description: "sendto: \(String(cString: strerror(errno)))") }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 4096, 0) }
        guard count >= 0 else { throw SocketFailure(description: "recv: \(String(cString: strerror(errno)))") }
        return Array(buffer[..<count])
    }
}
