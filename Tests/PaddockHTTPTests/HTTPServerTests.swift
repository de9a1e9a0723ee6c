import PaddockHTTP
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("HTTPServer over real sockets", .timeLimit(.minutes(2)))
struct HTTPServerTests {
    @Test("port 0 binds an ephemeral port; start twice and a bad host are errors")
    func lifecycle() async throws {
        try await withServer(handler: echoHandler) { server in
            #expect(server.port > 0)
            #expect(throws: HTTPServerError.self) { try server.start() }
        }
        let bad = HTTPServer(configuration: HTTPServerConfiguration(host: "example.com", port: 0), handler: echoHandler)
        #expect(throws: HTTPServerError.self) { try bad.start() }
        #expect(bad.port == 0)
        let custom = HTTPServer(configuration: HTTPServerConfiguration(port: 0), handler: echoHandler,
                                onTooLarge: { .text("max \($0)", status: 413) })
        #expect(await custom.configuration.onTooLarge(7).collectBody() == Array("max 7".utf8))
    }

    @Test("GET is echoed: method, decoded path, raw path, query, header, peer")
    func getEcho() async throws {
        try await withServer(handler: echoHandler) { server in
            let response = try await get(server.port, "/files/a%20b/c+d?name=a+b&sym=%E2%9C%93&flag&empty=",
                                         headers: "x-TEST: hello\r\n")
            #expect(response.status == 200)
            #expect(response.header("x-echo") == "yes")
            #expect(response.header("content-type") == "text/plain")
            #expect(response.echoed("method") == "GET")
            #expect(response.echoed("path") == "/files/a b/c+d")
            #expect(response.echoed("raw") == "/files/a%20b/c+d")
            #expect(response.echoed("query") == "name=a b;sym=✓;flag=;empty=")
            #expect(response.echoed("x-test") == "hello")
            #expect(response.echoed("remote") == "127.0.0.1")
            #expect(response.echoed("loopback") == "true")
        }
    }

    @Test("POST bodies arrive whole, with Content-Length or chunked")
    func postEcho() async throws {
        try await withServer(handler: echoHandler) { server in
            let port = server.port
            let (plain, chunked) = try await offPool {
                let client = try RawClient(port: port)
                let plain = try client.exchange("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world")
                let chunked = try client.exchange(
                    "POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
                return (plain, chunked)
            }
            #expect(plain.echoed("method") == "POST")
            #expect(plain.echoed("body") == "hello world")
            #expect(chunked.echoed("body") == "hello world")
        }
    }

    @Test("a large body is delivered intact")
    func largeBody() async throws {
        let checksum: HTTPHandler = { request in
            .text("\(request.body.count) \(request.body.reduce(0) { ($0 &* 31) &+ Int($1) })")
        }
        try await withServer(handler: checksum) { server in
            let port = server.port
            let body = (0..<900_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let response = try await offPool {
                let client = try RawClient(port: port)
                try client.send("PUT /big HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n")
                try client.send(body)
                return try client.readResponse()
            }
            #expect(response.text == "\(body.count) \(body.reduce(0) { ($0 &* 31) &+ Int($1) })")
        }
    }

    @Test("keep-alive: several requests over one connection")
    func keepAlive() async throws {
        try await withServer(handler: echoHandler) { server in
            let port = server.port
            let paths = try await offPool {
                let client = try RawClient(port: port)
                return try (1...5).map { index in
                    try client.exchange("GET /k/\(index) HTTP/1.1\r\nHost: t\r\n\r\n").echoed("path") ?? ""
                }
            }
            #expect(paths == ["/k/1", "/k/2", "/k/3", "/k/4", "/k/5"])
        }
    }

    @Test("pipelined requests are answered in order")
    func pipelining() async throws {
        try await withServer(handler: echoHandler) { server in
            let port = server.port
            let paths = try await offPool {
                let client = try RawClient(port: port)
                try client.send("GET /one HTTP/1.1\r\nHost: t\r\n\r\nPOST /two HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabcGET /three HTTP/1.1\r\nHost: t\r\n\r\n")
                return try (0..<3).map { _ in try client.readResponse() }
            }
            #expect(paths.map { $0.echoed("path") } == ["/one", "/two", "/three"])
            #expect(paths[1].echoed("body") == "abc")
        }
    }

    @Test("HEAD gets the headers without a body, and the connection stays usable")
    func head() async throws {
        let handler: HTTPHandler = { _ in .text("hello") }
        try await withServer(handler: handler) { server in
            let port = server.port
            let (head, next) = try await offPool {
                let client = try RawClient(port: port)
                let head = try client.exchange("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n", head: true)
                let next = try client.exchange("GET /h HTTP/1.1\r\nHost: t\r\n\r\n")
                return (head, next)
            }
            #expect(head.status == 200)
            #expect(head.header("content-length") == "5")
            #expect(head.body.isEmpty)
            #expect(next.text == "hello")
        }
    }

    @Test("handler headers are sent; fields that could split the response are dropped")
    func responseHeaders() async throws {
        let handler: HTTPHandler = { _ in
            HTTPResponse(status: 201, headers: [("x-one", "1"), ("X-Two", "two words"), ("x-bad", "a\r\nInjected: yes"),
                                                ("bad name", "v"), ("content-length", "999")],
                         body: .bytes(Array("ok".utf8)))
        }
        try await withServer(handler: handler) { server in
            let response = try await get(server.port, "/")
            #expect(response.status == 201)
            #expect(response.header("x-one") == "1")
            #expect(response.header("x-two") == "two words")
            #expect(response.header("x-bad") == nil)
            #expect(response.header("injected") == nil)
            #expect(response.header("content-length") == "2")
            #expect(response.text == "ok")
        }
    }

    @Test("an out-of-range status is sent as 500")
    func badStatus() async throws {
        try await withServer(handler: { _ in .text("x", status: 42) }) { server in
            let response = try await get(server.port, "/")
            #expect(response.status == 500)
        }
    }

    @Test("a handler that suspends (sleeps) still answers, on the same connection afterwards too")
    func slowHandler() async throws {
        let handler: HTTPHandler = { request in
            try? await Task.sleep(for: .milliseconds(20))
            return .text("slept \(request.path)")
        }
        try await withServer(handler: handler) { server in
            let port = server.port
            let texts = try await offPool {
                let client = try RawClient(port: port)
                return try (1...3).map { try client.exchange("GET /\($0) HTTP/1.1\r\nHost: t\r\n\r\n").text }
            }
            #expect(texts == ["slept /1", "slept /2", "slept /3"])
            let pipelined = try await offPool {
                let client = try RawClient(port: port)
                try client.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\nGET /c HTTP/1.1\r\nHost: t\r\n\r\n")
                return try (0..<3).map { _ in try client.readResponse().text }
            }
            #expect(pipelined == ["slept /a", "slept /b", "slept /c"])
        }
    }

    @Test("50 concurrent clients each get their own answer, from quick and suspending handlers")
    func concurrentClients() async throws {
        let handler: HTTPHandler = { request in
            if let index = Int(request.path.split(separator: "/").last ?? ""), index % 2 == 1 {
                try? await Task.sleep(for: .milliseconds(1))
            }
            return await echoHandler(request)
        }
        try await withServer(handler: handler) { server in
            let port = server.port
            let bodies = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for index in 0..<50 {
                    group.addTask {
                        try await offPool {
                            let client = try RawClient(port: port)
                            var last: String?
                            for round in 0..<3 {
                                let body = "client-\(index)-\(round)"
                                last = try client.exchange("POST /c/\(index) HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)").echoed("body")
                            }
                            return (index, last)
                        }
                    }
                }
                var results: [Int: String?] = [:]
                for try await (index, body) in group { results[index] = body }
                return results
            }
            #expect(bodies.count == 50)
            for index in 0..<50 { #expect(bodies[index] == "client-\(index)-2") }
        }
    }

    @Test("the server binds an IPv6 literal", .enabled(if: ipv6LoopbackAvailable()))
    func ipv6() async throws {
        try await withServer({ $0.host = "::1" }, handler: echoHandler) { server in
            let port = server.port
            let response = try await offPool {
                let client = try RawClient(port: port, host: "::1")
                return try client.exchange("GET /six HTTP/1.1\r\nHost: t\r\n\r\n")
            }
            #expect(response.echoed("remote") == "::1")
            #expect(response.echoed("loopback") == "true")
        }
    }
}

/// Whether `::1` can be bound here (containers sometimes have no IPv6).
func ipv6LoopbackAvailable() -> Bool {
    let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in6()
    address.sin6_family = sa_family_t(AF_INET6)
    _ = inet_pton(AF_INET6, "::1", &address.sin6_addr)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
    } == 0
}
