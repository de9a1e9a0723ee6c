import Foundation
import PaddockJSON
@testable import PaddockCLI

/// A fake Paddock: records every request and answers from a routing closure.
///
/// Streamed answers (`APITransport.stream`) are delivered in pieces of `streamPieceSize`
/// bytes, one piece per pull, so line reassembly is exercised and `onStreamPiece` runs after
/// the client has handled every earlier piece. A response with the header
/// `x-fake-hold-open` does not end its stream: it waits until the client cancels it (or a
/// minute has passed).
final class FakeServer: @unchecked Sendable {
    private let lock = NSLock()
    private var recordedRequests: [APIRequest] = []
    private var recordedStreamed: [Bool] = []
    private var recordedBaseURLs: [String] = []
    private var pieceObserver: (@Sendable (Int) -> Void)?
    private var recordedCancellations = 0
    private let handler: @Sendable (APIRequest) throws -> APIResponse
    /// The size of the pieces a streamed body is cut into.
    var streamPieceSize = 7

    /// A server answering with `handler`; the default answers every request with 500.
    init(_ handler: @escaping @Sendable (APIRequest) throws -> APIResponse = { _ in
        FakeServer.error(500, "api_error", "the fake server has no route for this")
    }) {
        self.handler = handler
    }

    /// Requests received, in order.
    var requests: [APIRequest] { lock.withLock { recordedRequests } }
    /// For each request, whether it was sent with `stream` rather than `send`.
    var streamed: [Bool] { lock.withLock { recordedStreamed } }
    /// How many held-open streams the client cancelled.
    var cancelledStreams: Int { lock.withLock { recordedCancellations } }

    fileprivate func recordCancelledStream() {
        lock.withLock { recordedCancellations += 1 }
    }

    /// Called with a piece's index before a streamed piece is handed to the client.
    var onStreamPiece: (@Sendable (Int) -> Void)? {
        get { lock.withLock { pieceObserver } }
        set { lock.withLock { pieceObserver = newValue } }
    }
    /// Base URLs transports were made for.
    var baseURLs: [String] { lock.withLock { recordedBaseURLs } }

    func transport(baseURL: String) -> any APITransport {
        lock.withLock { recordedBaseURLs.append(baseURL) }
        return Transport(server: self)
    }

    fileprivate func handle(_ request: APIRequest, streamed: Bool) throws -> APIResponse {
        lock.withLock {
            recordedRequests.append(request)
            recordedStreamed.append(streamed)
        }
        return try handler(request)
    }

    private struct Transport: APITransport {
        let server: FakeServer
        func send(_ request: APIRequest) async throws -> APIResponse {
            try server.handle(request, streamed: false)
        }

        func stream(_ request: APIRequest) async throws -> APIStreamingResponse {
            let response = try server.handle(request, streamed: true)
            let holdOpen = response.headers["x-fake-hold-open"] != nil
            let size = server.streamPieceSize
            let pieces = stride(from: 0, to: response.body.count, by: size).map {
                Array(response.body[$0..<min($0 + size, response.body.count)])
            }
            let cursor = Cursor()
            let body = AsyncThrowingStream<[UInt8], any Error>(unfolding: { [server] in
                let index = cursor.next()
                guard index < pieces.count else {
                    if holdOpen {
                        // Until the client cancels; bounded so that a client that never
                        // cancels fails its test instead of hanging the suite.
                        do {
                            try await Task.sleep(for: .seconds(60))
                        } catch {
                            server.recordCancelledStream()
                            throw error
                        }
                    }
                    return nil
                }
                server.onStreamPiece?(index)
                return pieces[index]
            })
            return APIStreamingResponse(status: response.status, headers: response.headers, body: body)
        }
    }

    /// The index of the next piece to hand out.
    private final class Cursor: @unchecked Sendable {
        private let lock = NSLock()
        private var position = 0
        func next() -> Int {
            lock.withLock {
                defer { position += 1 }
                return position
            }
        }
    }

    /// A JSON response.
    static func json(_ status: Int = 200, _ value: JSONValue) -> APIResponse {
        APIResponse(status: status, headers: ["content-type": "application/json"], body: JSONWriter.bytes(value))
    }

    /// An API error response in the contract's shape.
    static func error(_ status: Int, _ type: String, _ message: String, param: String? = nil) -> APIResponse {
        var error: JSONObject = ["type": .string(type), "message": .string(message)]
        if let param { error["param"] = .string(param) }
        return json(status, ["type": "error", "error": .object(error), "request_id": "req_test"])
    }
}

/// Collects what a run writes to stdout and stderr, byte for byte, and feeds it stdin.
final class CapturedConsole: @unchecked Sendable {
    private let lock = NSLock()
    private var out: [UInt8] = []
    private var err: [UInt8] = []
    private var order: [String] = []
    let input: [UInt8]
    let terminal: Bool

    init(input: [UInt8] = [], terminal: Bool = false) {
        self.input = input
        self.terminal = terminal
    }

    var console: Console {
        Console(writeOutput: { text in self.record(Array(text.utf8), error: false) },
                writeError: { text in self.record(Array(text.utf8), error: true) },
                writeOutputBytes: { bytes in self.record(bytes, error: false) },
                writeErrorBytes: { bytes in self.record(bytes, error: true) },
                readInput: { self.input },
                errorIsTerminal: terminal)
    }

    private func record(_ bytes: [UInt8], error: Bool) {
        lock.withLock {
            if error { err += bytes } else { out += bytes }
            order.append((error ? "err:" : "out:") + String(decoding: bytes, as: UTF8.self))
        }
    }

    var stdoutBytes: [UInt8] { lock.withLock { out } }
    var stderrBytes: [UInt8] { lock.withLock { err } }
    var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
    var stderr: String { String(decoding: stderrBytes, as: UTF8.self) }
    /// Every write in order, as `out:TEXT` or `err:TEXT`.
    var writes: [String] { lock.withLock { order } }
}

/// What one CLI run did.
struct CLIResult {
    var exitCode: Int32
    var stdout: String
    var stderr: String
    var requests: [APIRequest]
    /// Standard output exactly as written.
    var stdoutBytes: [UInt8] = []
    /// Every write in order, as `out:TEXT` or `err:TEXT`.
    var writes: [String] = []

    /// The body of request `index` as JSON.
    func body(_ index: Int = 0) -> JSONValue? {
        guard index < requests.count, let body = requests[index].body else { return nil }
        return try? JSONParser.parse(body)
    }

    /// `METHOD path` of every request, for compact assertions.
    var calls: [String] { requests.map { "\($0.method) \($0.path)" } }
}

/// Runs `paddock ARGUMENTS` against `server` with a captured console.
///
/// - Parameters:
///   - input: what the command reads as its standard input.
///   - terminal: whether standard error is a terminal (live progress).
///   - interrupts: the Ctrl-C the run receives.
func runCLI(_ arguments: [String], server: FakeServer = FakeServer(),
            environment: [String: String] = ["PADDOCK_API_KEY": "pdk_test"],
            input: [UInt8] = [], terminal: Bool = false, interrupts: Interrupts = .none) async -> CLIResult {
    let captured = CapturedConsole(input: input, terminal: terminal)
    let code = await PaddockCLI.run(arguments, environment: environment, console: captured.console,
                                    transport: { server.transport(baseURL: $0) }, interrupts: interrupts)
    return CLIResult(exitCode: code, stdout: captured.stdout, stderr: captured.stderr, requests: server.requests,
                     stdoutBytes: captured.stdoutBytes, writes: captured.writes)
}

/// An environment object as the API returns it.
func environmentFixture(id: String = "env_01JEX6Q0W5M3T9ZK8B7N2C4D6F", name: String = "data-science",
                        networking: JSONValue = ["type": "unrestricted"],
                        packages: JSONValue = ["apt": [], "pip": [], "npm": []],
                        setupScript: JSONValue = nil, description: JSONValue = nil,
                        metadata: JSONValue = [:],
                        createdAt: String = "2026-12-03T16:39:34.123Z") -> JSONValue {
    [
        "id": .string(id), "type": "environment", "name": .string(name), "description": description,
        "config": ["type": "cloud", "networking": networking, "packages": packages, "setup_script": setupScript],
        "metadata": metadata, "status": "ready",
        "created_at": .string(createdAt), "updated_at": "2026-12-04T08:00:00.000Z",
    ]
}

/// A list object in the contract's shape.
func listFixture(_ items: [JSONValue], hasMore: Bool = false) -> JSONValue {
    [
        "data": .array(items), "has_more": .bool(hasMore),
        "first_id": items.first?["id"] ?? nil, "last_id": items.last?["id"] ?? nil,
    ]
}

/// A server that resolves names from `environments` and echoes environment updates.
func environmentServer(_ environments: [JSONValue]) -> FakeServer {
    FakeServer { request in
        if request.method == "GET", request.path.hasPrefix("/v1/environments?") {
            let matches = environments.filter { env in
                let name = env["name"]?.stringValue ?? ""
                return request.path.contains("name=\(URLEncoding.encode(name))&")
            }
            return FakeServer.json(200, listFixture(Array(matches.prefix(1))))
        }
        for env in environments {
            let path = "/v1/environments/\(env["id"]!.stringValue!)"
            guard request.path == path else { continue }
            switch request.method {
            case "DELETE": return FakeServer.json(200, ["id": env["id"]!, "type": "environment_deleted"])
            default: return FakeServer.json(200, env)
            }
        }
        return FakeServer.error(404, "not_found_error", "no environment with id '\(request.path)'")
    }
}

/// A temporary file holding `text`, removed by the caller via `cleanup`.
struct TemporaryFile {
    let path: String

    init(_ text: String, suffix: String = ".txt") throws {
        path = NSTemporaryDirectory() + "paddock-cli-\(UUID().uuidString)\(suffix)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
