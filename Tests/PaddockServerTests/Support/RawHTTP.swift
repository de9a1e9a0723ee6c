import Foundation
import PaddockJSON

/// A response as read off the socket.
struct RawResponse: Sendable {
    let status: Int
    let headers: [(String, String)]
    let body: [UInt8]

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
    var text: String { String(decoding: body, as: UTF8.self) }
    /// `error.type` of an error body.
    var errorType: String? { json.objectValue?["error"]?.objectValue?["type"]?.stringValue }
    var errorParam: String? { json.objectValue?["error"]?.objectValue?["param"]?.stringValue }
    var errorMessage: String? { json.objectValue?["error"]?.objectValue?["message"]?.stringValue }
    subscript(_ key: String) -> JSONValue? { json.objectValue?[key] }
}

/// A deliberately dumb HTTP/1.1 client over a plain TCP socket, so tests can send bytes no
/// well-behaved client would (bad UTF-8, odd methods, lying headers).
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Sends raw request bytes and reads one response (the request should say `connection: close`
    /// or carry a body length the server can trust).
    /// `timeout` bounds each wait for bytes (a guard against a hung server, not a time limit on
    /// the call: a session create that builds the base image may take minutes).
    static func exchange(port: Int, _ request: [UInt8], expectBody: Bool = true, timeout: Int = 30) throws -> RawResponse {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        defer { close(fd) }
        var receiveTimeout = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receiveTimeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect failed: \(errno)") }
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }  // the server may answer (413) and close before reading everything
            sent += n
        }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
            if let response = parse(data, expectBody: expectBody) { return response }
        }
        guard let response = parse(data, complete: true, expectBody: expectBody) else {
            throw Failure(description: "no complete response; got \(data.count) bytes: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        return response
    }

    /// Sends a request, reads until the response head has arrived, then closes the connection
    /// (a client that goes away mid-response). Returns the bytes read.
    static func hangUpAfterHead(port: Int, _ request: [UInt8]) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                    guard fd >= 0 else { throw Failure(description: "socket failed") }
                    defer { close(fd) }
                    var address = sockaddr_in()
                    address.sin_family = sa_family_t(AF_INET)
                    address.sin_port = in_port_t(UInt16(port).bigEndian)
                    address.sin_addr.s_addr = inet_addr("127.0.0.1")
                    let connected = withUnsafePointer(to: &address) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                    }
                    guard connected == 0 else { throw Failure(description: "connect failed: \(errno)") }
                    _ = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    var data: [UInt8] = []
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    while findHeaderEnd(data) == nil {
                        let n = recv(fd, &buffer, buffer.count, 0)
                        if n <= 0 { break }
                        data.append(contentsOf: buffer[0..<n])
                    }
                    return data
                })
            }
        }
    }

    /// Sends raw bytes (which may hold more than one request) on a thread of its own and reads
    /// one response.
    static func raw(port: Int, _ bytes: [UInt8]) async throws -> RawResponse {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try exchange(port: port, bytes) }) }
        }
    }

    /// Builds and sends a request on a thread of its own, so that waiting for the server never
    /// blocks a thread that Swift concurrency or Dispatch (and so an in-process server) needs.
    static func send(port: Int, _ method: String, _ path: String, headers: [(String, String)] = [],
                     body: [UInt8]? = nil, timeout: Int = 30) async throws -> RawResponse {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try sendBlocking(port: port, method, path, headers: headers, body: body, timeout: timeout)
                })
            }
        }
    }

    /// Builds and sends a request, blocking the calling thread.
    static func sendBlocking(port: Int, _ method: String, _ path: String, headers: [(String, String)] = [],
                             body: [UInt8]? = nil, timeout: Int = 30) throws -> RawResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if let body { head += "content-length: \(body.count)\r\n" }
        head += "\r\n"
        return try exchange(port: port, Array(head.utf8) + (body ?? []), expectBody: method != "HEAD", timeout: timeout)
    }

    private static func parse(_ data: [UInt8], complete: Bool = false, expectBody: Bool = true) -> RawResponse? {
        guard let end = findHeaderEnd(data) else { return nil }
        let head = String(decoding: data[0..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]).lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(data[(end + 4)...])
        if !expectBody { return RawResponse(status: status, headers: headers, body: []) }
        if let length = headers.first(where: { $0.0 == "content-length" }).flatMap({ Int($0.1) }) {
            guard body.count >= length else { return nil }
            body = Array(body.prefix(length))
        } else if headers.contains(where: { $0.0 == "transfer-encoding" && $0.1.lowercased().contains("chunked") }) {
            guard let decoded = dechunk(body) else { return complete ? RawResponse(status: status, headers: headers, body: body) : nil }
            body = decoded
        } else if !complete {
            return nil
        }
        return RawResponse(status: status, headers: headers, body: body)
    }

    private static func findHeaderEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for i in 0...(data.count - 4) where data[i] == 13 && data[i + 1] == 10 && data[i + 2] == 13 && data[i + 3] == 10 { return i }
        return nil
    }

    private static func dechunk(_ data: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = [], i = 0
        while true {
            guard let lineEnd = (i..<max(i, data.count - 1)).first(where: { data[$0] == 13 && data[$0 + 1] == 10 }) else { return nil }
            guard let size = Int(String(decoding: data[i..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16) else { return nil }
            i = lineEnd + 2
            if size == 0 { return out }
            guard data.count >= i + size + 2 else { return nil }
            out.append(contentsOf: data[i..<(i + size)])
            i += size + 2
        }
    }
}
