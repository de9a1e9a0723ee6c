import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import PaddockCLI

/// A one-connection HTTP server on 127.0.0.1 whose answer is a script run on its own thread.
final class ScriptedHTTPServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32

    /// Listens on an ephemeral port and runs `script` with the accepted connection and the
    /// request head it read.
    init(_ script: @escaping @Sendable (_ connection: Int32, _ head: String) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TransportError("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw TransportError("bind failed") }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread {
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { return }
            var head = [UInt8]()
            var byte: UInt8 = 0
            while !head.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)), recv(connection, &byte, 1, 0) == 1 {
                head.append(byte)
            }
            script(connection, String(decoding: head, as: UTF8.self))
            close(connection)
        }
    }

    deinit { close(listener) }

    /// Writes `text` to the connection.
    static func write(_ connection: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// One chunk of a chunked body.
    static func chunk(_ text: String) -> String {
        String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n"
    }
}

/// A flag one thread sets and another waits for (with a generous bound so a bug cannot hang
/// the suite).
final class Signal: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var isSet = false
    func set() {
        lock.withLock { isSet = true }
        semaphore.signal()
    }
    var value: Bool { lock.withLock { isSet } }
    /// Waits until set; false if it never was.
    func wait() -> Bool { semaphore.wait(timeout: .now() + 30) == .success }
}

@Suite("URLSession transport streaming")
struct ExecTransportStreamingTests {
    @Test("a chunked body arrives piece by piece, before the server has sent the rest")
    func piecesArriveAsSent() async throws {
        let firstReceived = Signal()
        let secondSent = Signal()
        let head = Captured()
        let server = try ScriptedHTTPServer { connection, requestHead in
            head.set(requestHead)
            ScriptedHTTPServer.write(connection, "HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\n"
                                     + "transfer-encoding: chunked\r\n\r\n" + ScriptedHTTPServer.chunk("first\n"))
            _ = firstReceived.wait()
            secondSent.set()
            ScriptedHTTPServer.write(connection, ScriptedHTTPServer.chunk("second\n") + "0\r\n\r\n")
        }
        let transport = URLSessionTransport(baseURL: "http://127.0.0.1:\(server.port)")
        let response = try await transport.stream(APIRequest(
            method: "POST", path: "/v1/sessions/sess_1/exec",
            headers: ["accept": "application/x-ndjson", "content-type": "application/json"], body: Array("{}".utf8)))
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/x-ndjson")
        var received = ""
        var firstArrivedEarly = false
        for try await piece in response.body {
            received += String(decoding: piece, as: UTF8.self)
            if received.contains("first\n") && !firstReceived.value {
                firstArrivedEarly = !secondSent.value
                firstReceived.set()
            }
        }
        #expect(firstArrivedEarly)
        #expect(received == "first\nsecond\n")
        #expect(head.value?.hasPrefix("POST /v1/sessions/sess_1/exec HTTP/1.1\r\n") == true)
    }

    @Test("an error status is returned with its body")
    func errorStatus() async throws {
        let server = try ScriptedHTTPServer { connection, _ in
            let body = #"{"type":"error","error":{"type":"conflict_error","message":"not running"}}"#
            ScriptedHTTPServer.write(connection, "HTTP/1.1 409 Conflict\r\ncontent-type: application/json\r\n"
                                     + "content-length: \(body.utf8.count)\r\n\r\n" + body)
        }
        let transport = URLSessionTransport(baseURL: "http://127.0.0.1:\(server.port)")
        let response = try await transport.stream(APIRequest(method: "GET", path: "/x"))
        #expect(response.status == 409)
        let whole = try await response.collect()
        #expect(String(decoding: whole.body, as: UTF8.self).contains("not running"))
    }

    @Test("cancelling the task that reads the stream closes the connection")
    func cancellationCloses() async throws {
        let closed = Signal()
        let server = try ScriptedHTTPServer { connection, _ in
            ScriptedHTTPServer.write(connection, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                                     + ScriptedHTTPServer.chunk("tick\n"))
            // Wait for the client to hang up: recv returns 0 (or fails) once it has.
            var byte: UInt8 = 0
            var timeout = timeval(tv_sec: 30, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let count = recv(connection, &byte, 1, 0)
            if count == 0 || (count < 0 && errno != EAGAIN) { closed.set() }
        }
        let transport = URLSessionTransport(baseURL: "http://127.0.0.1:\(server.port)")
        let response = try await transport.stream(APIRequest(method: "GET", path: "/v1/sessions/s/logs?follow=true"))
        let firstPiece = Signal()
        let reader = Task {
            for try await piece in response.body {
                #expect(String(decoding: piece, as: UTF8.self) == "tick\n")
                firstPiece.set()
            }
        }
        #expect(try await ExecFields.offPool { firstPiece.wait() })
        reader.cancel()
        let hungUp = try await ExecFields.offPool { closed.wait() }
        #expect(hungUp)
    }

    @Test("a closed port is a transport error")
    func refused() async {
        let transport = URLSessionTransport(baseURL: "http://127.0.0.1:1", timeout: 10)
        await #expect(throws: TransportError.self) {
            _ = try await transport.stream(APIRequest(method: "GET", path: "/v1/sessions/s/logs"))
        }
    }
}
