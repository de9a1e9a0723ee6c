import PaddockHTTP
import Synchronization

/// A one-shot signal between a test and a handler.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    var isOpen: Bool { state.withLock { $0.open } }
}

/// A counter handlers can bump from any thread.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func increment() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

/// Starts a server on an ephemeral port, runs `body`, then stops the server.
func withServer(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
                handler: @escaping HTTPHandler,
                _ body: (HTTPServer) async throws -> Void) async throws {
    var configuration = HTTPServerConfiguration(port: 0, threadCount: 2, shutdownTimeout: 5)
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, handler: handler)
    try server.start()
    do {
        try await body(server)
    } catch {
        await server.shutdown()
        throw error
    }
    await server.shutdown()
}

/// Answers with what it received, one `key=value` line each.
let echoHandler: HTTPHandler = { request in
    let query = request.queryItems.map { "\($0.0)=\($0.1)" }.joined(separator: ";")
    let lines = [
        "method=\(request.method)",
        "path=\(request.path)",
        "raw=\(request.rawPath)",
        "query=\(query)",
        "remote=\(request.remoteAddress)",
        "loopback=\(request.isLoopback)",
        "x-test=\(request.header("X-Test") ?? "-")",
        "body=\(String(decoding: request.body, as: UTF8.self))",
    ]
    return HTTPResponse(status: 200, headers: [("content-type", "text/plain"), ("x-echo", "yes")],
                        body: .bytes(Array(lines.joined(separator: "\n").utf8)))
}

extension RawResponse {
    /// The value of `key=` in an echo response.
    func echoed(_ key: String) -> String? {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .first { $0.hasPrefix("\(key)=") }
            .map { String($0.dropFirst(key.count + 1)) }
    }
}
