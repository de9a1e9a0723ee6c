import Foundation
import PaddockCore
import PaddockHTTP
import PaddockJSON
import PaddockRuntime
import PaddockServer
import PaddockStore

/// A real Paddock API on an ephemeral port over a real SQLite file in a temporary directory.
final class TestServer: Sendable {
    let directory: String
    let store: PaddockStore
    let api: PaddockAPI
    let http: HTTPServer
    let adminKey: String
    let runtime: FakeSessionRuntime
    var port: Int { http.port }

    /// A server whose sessions run on `runtime` (a fake one by default).
    init(runtime: FakeSessionRuntime = FakeSessionRuntime()) async throws {
        directory = try TemporaryDirectory.make()
        store = try PaddockStore(path: directory + "/paddock.db")
        self.runtime = runtime
        let backend = SessionBackend(
            runtime: runtime,
            baseImages: try BaseImageBuilder(imagesDirectory: URL(fileURLWithPath: directory + "/images"), recipe: BaseRecipe.load()),
            layers: try LayerStore(directory: URL(fileURLWithPath: directory + "/layers")),
            layerCacheLimitBytes: 1 << 30)
        let api = PaddockAPI(store: store, sessions: backend, logRequests: false)
        self.api = api
        try await api.startSessions()
        adminKey = try await api.bootstrapAdminKey() ?? ""
        http = api.httpServer(host: "127.0.0.1", port: 0, threads: 4,
                              errorLog: { FileHandle.standardError.write(Data("libmicrohttpd: \($0)\n".utf8)) })
        try http.start()
    }

    func shutdown() async {
        await api.stopSessions()
        await http.shutdown()
        await store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A JSON call with a key (the admin's by default).
    func call(_ method: String, _ path: String, _ body: JSONValue? = nil, key: String? = nil,
              headers: [(String, String)] = []) async throws -> RawResponse {
        var all = [("authorization", "Bearer \(key ?? adminKey)")] + headers
        var bytes: [UInt8]?
        if let body {
            all.append(("content-type", "application/json"))
            bytes = JSONWriter.bytes(body)
        }
        return try await RawHTTP.send(port: port, method, path, headers: all, body: bytes)
    }

    /// Creates an account and returns its key.
    func makeAccount(_ name: String) async throws -> String {
        let response = try await call("POST", "/v1/accounts", ["name": .string(name)])
        guard response.status == 201, let key = response["api_key"]?.stringValue else {
            throw RawHTTP.Failure(description: "account create failed: \(response.status) \(response.text)")
        }
        return key
    }
}

/// Temporary directories for tests.
enum TemporaryDirectory {
    static func make() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/paddock-test-XXXXXX").utf8CString)
        guard let path = mkdtemp(&template) else { throw RawHTTP.Failure(description: "mkdtemp failed") }
        return String(cString: path)
    }
}
