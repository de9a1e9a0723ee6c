import PaddockHTTP
import Testing

@Suite("HTTPServer limits and hostile input", .timeLimit(.minutes(2)))
struct HTTPServerLimitsTests {
    static func tooLarge(_ limit: Int) -> HTTPResponse {
        HTTPResponse(status: 413, headers: [("content-type", "application/json")],
                     body: .bytes(Array(#"{"type":"error","limit":\#(limit)}"#.utf8)))
    }

    @Test("a Content-Length over the limit is answered 413 by onTooLarge without calling the handler")
    func contentLengthOverLimit() async throws {
        let calls = Counter()
        let handler: HTTPHandler = { request in
            calls.increment()
            return await echoHandler(request)
        }
        try await withServer({ $0.maxBodyBytes = 1000; $0.onTooLarge = Self.tooLarge }, handler: handler) { server in
            let port = server.port
            let response = try await offPool {
                let client = try RawClient(port: port)
                try client.send("POST /json HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n")
                try client.send([UInt8](repeating: 65, count: 5000))
                return try client.readResponse()
            }
            #expect(response.status == 413)
            #expect(response.text == #"{"type":"error","limit":1000}"#)
            #expect(calls.count == 0)
            let after = try await offPool {
                let client = try RawClient(port: port)
                return try client.exchange("POST /json HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nsmol")
            }
            #expect(after.echoed("body") == "smol")
            #expect(calls.count == 1)
        }
    }

    @Test("Expect: 100-continue over the limit gets 413 instead of 100")
    func expectContinue() async throws {
        try await withServer({ $0.maxBodyBytes = 10 }, handler: echoHandler) { server in
            let port = server.port
            let response = try await offPool {
                let client = try RawClient(port: port)
                return try client.exchange("PUT /x HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n")
            }
            #expect(response.status == 413)
        }
    }

    @Test("a chunked body that grows over the limit is dropped and answered 413")
    func chunkedOverLimit() async throws {
        let calls = Counter()
        let handler: HTTPHandler = { request in
            calls.increment()
            return await echoHandler(request)
        }
        try await withServer({ $0.maxBodyBytes = 1000 }, handler: handler) { server in
            let port = server.port
            let response = try await offPool {
                let client = try RawClient(port: port)
                try client.send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
                for _ in 0..<3 { try client.send("258\r\n" + String(repeating: "z", count: 600) + "\r\n") }
                try client.send("0\r\n\r\n")
                return try client.readResponse()
            }
            #expect(response.status == 413)
            #expect(calls.count == 0)
            #expect(try await get(port, "/after").status == 200)
        }
    }

    @Test("bodyLimit lets one route take more and another less than maxBodyBytes")
    func perRouteLimit() async throws {
        let configure: (inout HTTPServerConfiguration) -> Void = {
            $0.maxBodyBytes = 100
            $0.bodyLimit = { method, path, _ in
                if method == "PUT" && path.hasPrefix("/upload/") { return 10_000 }
                if path == "/tiny" { return 3 }
                return 100
            }
        }
        try await withServer(configure, handler: echoHandler) { server in
            let port = server.port
            let (upload, other, tiny) = try await offPool {
                let body = String(repeating: "u", count: 5000)
                let upload = try RawClient(port: port).exchange("PUT /upload/a%20b HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n\(body)")
                let other = try RawClient(port: port).exchange("PUT /other HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n")
                let tiny = try RawClient(port: port).exchange("POST /tiny HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nabcd")
                return (upload, other, tiny)
            }
            #expect(upload.status == 200)
            #expect(upload.echoed("body")?.count == 5000)
            #expect(other.status == 413)
            #expect(tiny.status == 413)
        }
    }

    @Test("a client that disconnects mid-body never reaches the handler; the server goes on")
    func disconnectMidBody() async throws {
        let calls = Counter()
        let handler: HTTPHandler = { request in
            if request.path == "/upload" { calls.increment() }
            return await echoHandler(request)
        }
        try await withServer(handler: handler) { server in
            let port = server.port
            try await offPool {
                for _ in 0..<5 {
                    let client = try RawClient(port: port)
                    try client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n")
                    try client.send([UInt8](repeating: 1, count: 1000))
                    client.close()
                }
            }
            #expect(try await get(port, "/after").echoed("path") == "/after")
            #expect(calls.count == 0)
            // The aborted requests are released (polled; the server notices each close).
            var released = false
            for _ in 0..<1000 where !released {
                released = server.requestsInFlight == 0
                if !released { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(released)
        }
    }

    @Test("non-UTF-8 bytes in the URL and headers are decoded lossily, not fatal")
    func invalidBytes() async throws {
        try await withServer(handler: echoHandler) { server in
            let port = server.port
            let response = try await offPool {
                let client = try RawClient(port: port)
                var request = Array("GET /caf".utf8) + [0xFF, 0xFE] + Array("/%ff%00?q=%fe&".utf8) + [0xC3]
                request += Array(" HTTP/1.1\r\nHost: t\r\nX-Test: ".utf8) + [0xFF, 0x80] + Array("\r\n\r\n".utf8)
                try client.send(request)
                return try client.readResponse()
            }
            if response.status == 200 {
                #expect(response.echoed("path") == "/caf\u{FFFD}\u{FFFD}/\u{FFFD}\u{0}")
                #expect(response.echoed("x-test") == "\u{FFFD}\u{FFFD}")
            } else {
                #expect(response.status == 400)
            }
            #expect(try await get(port, "/fine").status == 200)
        }
    }

    @Test("malformed requests are refused without harm", arguments: [
        "HELLO\r\n\r\n",
        "GET\r\n\r\n",
        "GET / HTTP/9.9\r\nHost: t\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "GET / HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: t\r\n\u{0}: \u{0}\r\n\r\n",
    ])
    func malformed(request: String) async throws {
        try await withServer({ $0.maxBodyBytes = 1000 }, handler: echoHandler) { server in
            let port = server.port
            let status = try await offPool { () -> Int? in
                let client = try RawClient(port: port, timeoutSeconds: 10)
                try client.send(request)
                return try? client.readResponse().status
            }
            if let status { #expect(status >= 200) }
            #expect(try await get(port, "/still-up").status == 200)
        }
    }

    @Test("headers larger than the connection memory are refused (431) and the server goes on")
    func hugeHeaders() async throws {
        try await withServer({ $0.connectionMemoryLimit = 32 * 1024 }, handler: echoHandler) { server in
            let port = server.port
            let status = try await offPool { () -> Int? in
                let client = try RawClient(port: port)
                try? client.send("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + String(repeating: "a", count: 200_000) + "\r\n\r\n")
                return try? client.readResponse().status
            }
            if let status { #expect(status == 431 || status == 413 || status == 414 || status == 400) }
            let longURL = try await offPool { () -> Int? in
                let client = try RawClient(port: port)
                try? client.send("GET /" + String(repeating: "p", count: 100_000) + " HTTP/1.1\r\nHost: t\r\n\r\n")
                return try? client.readResponse().status
            }
            if let longURL { #expect(longURL >= 400) }
            #expect(try await get(port, "/still-up").status == 200)
        }
    }
}
