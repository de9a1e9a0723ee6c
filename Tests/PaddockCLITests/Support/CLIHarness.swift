import Foundation
import PaddockJSON
@testable import PaddockCLI

/// A fake Paddock: records every request and answers from a routing closure.
final class FakeServer: @unchecked Sendable {
    private let lock = NSLock()
    private var recordedRequests: [APIRequest] = []
    private var recordedBaseURLs: [String] = []
    private let handler: @Sendable (APIRequest) throws -> APIResponse

    /// A server answering with `handler`; the default answers every request with 500.
    init(_ handler: @escaping @Sendable (APIRequest) throws -> APIResponse = { _ in
        FakeServer.error(500, "api_error", "the fake server has no route for this")
    }) {
        self.handler = handler
    }

    /// Requests received, in order.
    var requests: [APIRequest] { lock.withLock { recordedRequests } }
    /// Base URLs transports were made for.
    var baseURLs: [String] { lock.withLock { recordedBaseURLs } }

    func transport(baseURL: String) -> any APITransport {
        lock.withLock { recordedBaseURLs.append(baseURL) }
        return Transport(server: self)
    }

    fileprivate func handle(_ request: APIRequest) throws -> APIResponse {
        lock.withLock { recordedRequests.append(request) }
        return try handler(request)
    }

    private struct Transport: APITransport {
        let server: FakeServer
        func send(_ request: APIRequest) async throws -> APIResponse {
            try server.handle(request)
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

/// Collects what a run writes to stdout and stderr.
final class CapturedConsole: @unchecked Sendable {
    private let lock = NSLock()
    private var out = ""
    private var err = ""

    var console: Console {
        Console(writeOutput: { text in self.lock.withLock { self.out += text } },
                writeError: { text in self.lock.withLock { self.err += text } })
    }

    var stdout: String { lock.withLock { out } }
    var stderr: String { lock.withLock { err } }
}

/// What one CLI run did.
struct CLIResult {
    var exitCode: Int32
    var stdout: String
    var stderr: String
    var requests: [APIRequest]

    /// The body of request `index` as JSON.
    func body(_ index: Int = 0) -> JSONValue? {
        guard index < requests.count, let body = requests[index].body else { return nil }
        return try? JSONParser.parse(body)
    }

    /// `METHOD path` of every request, for compact assertions.
    var calls: [String] { requests.map { "\($0.method) \($0.path)" } }
}

/// Runs `paddock ARGUMENTS` against `server` with a captured console.
func runCLI(_ arguments: [String], server: FakeServer = FakeServer(),
            environment: [String: String] = ["PADDOCK_API_KEY": "pdk_test"]) async -> CLIResult {
    let captured = CapturedConsole()
    let code = await PaddockCLI.run(arguments, environment: environment, console: captured.console,
                                    transport: { server.transport(baseURL: $0) })
    return CLIResult(exitCode: code, stdout: captured.stdout, stderr: captured.stderr, requests: server.requests)
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
