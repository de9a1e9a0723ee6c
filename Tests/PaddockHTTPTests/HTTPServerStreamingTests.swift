import PaddockHTTP
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("HTTPServer streaming and stop", .timeLimit(.minutes(2)))
struct HTTPServerStreamingTests {
    @Test("a streamed body arrives chunk by chunk, each before the next is produced")
    func streamsInPieces() async throws {
        let second = Gate(), third = Gate()
        let handler: HTTPHandler = { _ in
            let (stream, continuation) = HTTPBodyStream.makeStream()
            Task {
                continuation.yield(Array("one\n".utf8))
                await second.wait()
                continuation.yield(Array("two\n".utf8))
                await third.wait()
                continuation.yield(Array("three\n".utf8))
                continuation.finish()
            }
            return HTTPResponse(status: 200, headers: [("content-type", "application/x-ndjson")], body: .stream(stream))
        }
        try await withServer(handler: handler) { server in
            let client = try RawClient(port: server.port)
            let head = try await offPool {
                try client.send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n")
                return try client.readHead()
            }
            #expect(head.status == 200)
            #expect(head.headers.contains { $0.0.lowercased() == "transfer-encoding" && $0.1 == "chunked" })
            #expect(head.headers.contains { $0.0.lowercased() == "content-type" && $0.1 == "application/x-ndjson" })
            #expect(try await offPool { try client.readChunk() } == Array("one\n".utf8))
            #expect(!second.isOpen)
            second.open()
            #expect(try await offPool { try client.readChunk() } == Array("two\n".utf8))
            third.open()
            #expect(try await offPool { try client.readChunk() } == Array("three\n".utf8))
            #expect(try await offPool { try client.readChunk() } == nil)
            let next = try await offPool { try client.exchange("GET /again HTTP/1.1\r\nHost: t\r\n\r\n") }
            #expect(next.status == 200)
        }
    }

    @Test("a pull-based stream with large pieces is delivered whole")
    func pullStream() async throws {
        let handler: HTTPHandler = { _ in
            let remaining = Mutex(20)
            let stream = HTTPBodyStream {
                let index = remaining.withLock { value -> Int in
                    value -= 1
                    return value
                }
                return index >= 0 ? [UInt8](repeating: UInt8(65 + index), count: 50_000) : nil
            }
            return HTTPResponse(body: .stream(stream))
        }
        try await withServer(handler: handler) { server in
            let response = try await get(server.port, "/big")
            #expect(response.body.count == 20 * 50_000)
            #expect(response.body.first == UInt8(65 + 19))
            #expect(response.body.last == 65)
        }
    }

    @Test("when the client goes away the stream's producer is told")
    func streamCancelledOnDisconnect() async throws {
        let terminated = Gate()
        let handler: HTTPHandler = { request in
            guard request.path == "/ticks" else { return .text("not a stream") }
            let (stream, continuation) = HTTPBodyStream.makeStream()
            continuation.onTermination = { _ in terminated.open() }
            Task {
                while !terminated.isOpen {
                    continuation.yield(Array("tick\n".utf8))
                    try? await Task.sleep(for: .milliseconds(5))
                }
            }
            return HTTPResponse(body: .stream(stream))
        }
        try await withServer(handler: handler) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("GET /ticks HTTP/1.1\r\nHost: t\r\n\r\n")
                _ = try client.readHead()
                _ = try client.readChunk()
                client.close()
            }
            await terminated.wait()
            #expect(try await get(port, "/after").status == 200)
        }
    }

    @Test("HEAD on a streamed route sends headers only (content-length: 0, no chunked framing)")
    func headStream() async throws {
        let handler: HTTPHandler = { _ in
            HTTPResponse(body: .stream(HTTPBodyStream { nil }))
        }
        try await withServer(handler: handler) { server in
            let port = server.port
            let (head, next) = try await offPool {
                let client = try RawClient(port: port)
                let head = try client.exchange("HEAD /s HTTP/1.1\r\nHost: t\r\n\r\n", head: true)
                let next = try client.exchange("GET /s HTTP/1.1\r\nHost: t\r\n\r\n")
                return (head, next)
            }
            #expect(head.status == 200)
            #expect(next.status == 200)
            #expect(next.body.isEmpty)
        }
    }

    @Test("stop() lets an in-flight request finish, then refuses connections")
    func gracefulStop() async throws {
        let started = Gate(), release = Gate()
        let finished = Atomic<Bool>(false)
        let handler: HTTPHandler = { request in
            guard request.path == "/slow" else { return .text("fast") }
            started.open()
            await release.wait()
            finished.store(true, ordering: .sequentiallyConsistent)
            return .text("done")
        }
        var configuration = HTTPServerConfiguration(port: 0, threadCount: 2, shutdownTimeout: 30)
        configuration.connectionTimeout = 30
        let server = HTTPServer(configuration: configuration, handler: handler)
        try server.start()
        let port = server.port
        let client = try RawClient(port: port)
        try client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        await started.wait()

        let stopped = Task { () -> Bool in
            await server.shutdown()
            return finished.load(ordering: .sequentiallyConsistent)
        }
        // New connections are refused once stop() has begun (polled, not timed).
        let refused = try await offPool { () -> Bool in
            for _ in 0..<400 {
                guard let probe = try? RawClient(port: port, timeoutSeconds: 2) else { return true }
                let answered = (try? probe.exchange("GET /probe HTTP/1.1\r\nHost: t\r\n\r\n")) != nil
                probe.close()
                if !answered { return true }
                usleep(10_000)
            }
            return false
        }
        #expect(refused)
        release.open()
        let response = try await offPool { try client.readResponse() }
        #expect(response.status == 200)
        #expect(response.text == "done")
        #expect(response.header("connection")?.lowercased() == "close")
        #expect(await stopped.value == true)
        #expect((try? RawClient(port: port, timeoutSeconds: 2)) == nil)
    }

    @Test("stop() cuts off a request that outlives shutdownTimeout")
    func forcedStop() async throws {
        let started = Gate(), never = Gate()
        let handler: HTTPHandler = { _ in
            started.open()
            await never.wait()
            return .text("too late")
        }
        let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0, threadCount: 2, shutdownTimeout: 0.2),
                                handler: handler)
        try server.start()
        let port = server.port
        let client = try RawClient(port: port)
        try client.send("GET /hang HTTP/1.1\r\nHost: t\r\n\r\n")
        await started.wait()
        await server.shutdown()
        #expect(try await offPool { try client.isClosedByServer() })
        never.open()
    }

    @Test("stop() with an idle stream parked waiting for its next piece")
    func stopWithParkedStream() async throws {
        let (stream, continuation) = HTTPBodyStream.makeStream()
        let handler: HTTPHandler = { _ in HTTPResponse(body: .stream(stream)) }
        let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0, threadCount: 2, shutdownTimeout: 0.2),
                                handler: handler)
        try server.start()
        let client = try RawClient(port: server.port)
        continuation.yield(Array("first".utf8))
        let first = try await offPool { () -> [UInt8]? in
            try client.send("GET /s HTTP/1.1\r\nHost: t\r\n\r\n")
            _ = try client.readHead()
            return try client.readChunk()
        }
        #expect(first == Array("first".utf8))
        await server.shutdown()
        continuation.finish()
    }
}
