import Foundation
import Glibc
import PaddockCore
import Synchronization

/// A blocking TCP server on 127.0.0.1 standing in for a remote host: each connection is
/// handled on a thread of its own by `handler`.
final class UpstreamServer: Sendable {
    let port: Int
    private let listener: Int32
    private let heads = Mutex<[String]>([])

    init(handler: @escaping @Sendable (TestSocket, UpstreamServer) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = TestSocket.address(IPv4Address("127.0.0.1")!, 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else { throw SocketFailure(description: "upstream bind: \(String(cString: strerror(errno)))") }
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: local.sin_port))
        let thread = Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else {
                    if errno == EINTR || errno == ECONNABORTED { continue }
                    return
                }
                let socket = TestSocket(fd: client)
                let worker = Thread { handler(socket, self) }
                worker.start()
            }
        }
        thread.start()
    }

    /// Stops accepting.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// Request heads an HTTP server saw, in order.
    var requestHeads: [String] { heads.withLock { $0 } }

    func noteHead(_ head: String) { heads.withLock { $0.append(head) } }

    /// Sends back everything it receives, then closes after the client's FIN.
    static func echo() throws -> UpstreamServer {
        try UpstreamServer { socket, _ in
            while let chunk = try? socket.receive(), !chunk.isEmpty {
                guard (try? socket.send(chunk)) != nil else { return }
            }
        }
    }

    /// Answers one HTTP request with `200` and a body naming the request line it got.
    static func http() throws -> UpstreamServer {
        try UpstreamServer { socket, server in
            guard let head = try? socket.receiveHead() else { return }
            server.noteHead(head)
            let line = head.split(separator: "\r\n").first ?? ""
            let body = "upstream saw: \(line)\n"
            try? socket.send("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        }
    }

    /// Sends `count` bytes of a fixed pattern, then closes.
    static func source(count: Int) throws -> UpstreamServer {
        try UpstreamServer { socket, _ in
            let block = [UInt8]((0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            var remaining = count
            while remaining > 0 {
                let size = min(block.count, remaining)
                guard (try? socket.send(Array(block[..<size]))) != nil else { return }
                remaining -= size
            }
        }
    }
}
