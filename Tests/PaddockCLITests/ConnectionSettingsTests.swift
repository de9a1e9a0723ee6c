import Foundation
import Testing
@testable import PaddockCLI

@Suite("connection settings")
struct ConnectionSettingsTests {
    /// A fresh directory for `admin.key`.
    static func dataDirectory(key: String?) throws -> String {
        let directory = NSTemporaryDirectory() + "paddock-cli-data-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if let key {
            try Data(key.utf8).write(to: URL(fileURLWithPath: directory + "/admin.key"))
        }
        return directory
    }

    static func listServer() -> FakeServer {
        FakeServer { _ in FakeServer.json(200, listFixture([])) }
    }

    @Test("without a key, DIR/admin.key is read from --data, trimmed")
    func adminKeyFromDataFlag() async throws {
        let directory = try Self.dataDirectory(key: "  pdk_fromfile\n")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = await runCLI(["env", "list", "--data", directory], server: Self.listServer(), environment: [:])
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.requests.first?.headers["authorization"] == "Bearer pdk_fromfile")
    }

    @Test("a rejected admin.key names the file in the error")
    func rejectedAdminKey() async throws {
        let directory = try Self.dataDirectory(key: "pdk_stale\n")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = FakeServer { _ in FakeServer.error(401, "authentication_error", "unknown API key") }
        let result = await runCLI(["env", "list", "--data", directory], server: server, environment: [:])
        #expect(result.stderr == "error: unknown API key (the key came from \(directory)/admin.key)\n")
    }

    @Test("PADDOCK_DATA names the directory when --data is absent")
    func adminKeyFromEnvironment() async throws {
        let directory = try Self.dataDirectory(key: "pdk_env_dir")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = await runCLI(["env", "list"], server: Self.listServer(), environment: ["PADDOCK_DATA": directory])
        #expect(result.requests.first?.headers["authorization"] == "Bearer pdk_env_dir")
    }

    @Test("--api-key beats PADDOCK_API_KEY, which beats admin.key")
    func keyPrecedence() async throws {
        let directory = try Self.dataDirectory(key: "pdk_file")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fromEnvironment = await runCLI(["env", "list", "--data", directory], server: Self.listServer(),
                                           environment: ["PADDOCK_API_KEY": "pdk_env"])
        #expect(fromEnvironment.requests.first?.headers["authorization"] == "Bearer pdk_env")
        let fromFlag = await runCLI(["env", "list", "--data", directory, "--api-key", "pdk_flag"],
                                    server: Self.listServer(), environment: ["PADDOCK_API_KEY": "pdk_env"])
        #expect(fromFlag.requests.first?.headers["authorization"] == "Bearer pdk_flag")
    }

    @Test("no key anywhere fails with exit 1 and says how to give one")
    func missingKey() async throws {
        let directory = try Self.dataDirectory(key: nil)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = await runCLI(["env", "list", "--data", directory], environment: [:])
        #expect(result.exitCode == 1)
        #expect(result.stderr == "error: no API key: pass --api-key KEY, set PADDOCK_API_KEY, or point --data at the server's data directory (\(directory)/admin.key does not exist)\n")
        #expect(result.requests.isEmpty)
    }

    @Test("the URL comes from --url, then PADDOCK_URL, then the default, without a trailing slash")
    func urlPrecedence() async {
        let defaulted = Self.listServer()
        _ = await runCLI(["env", "list"], server: defaulted)
        #expect(defaulted.baseURLs == ["http://127.0.0.1:8080"])

        let fromEnvironment = Self.listServer()
        _ = await runCLI(["env", "list"], server: fromEnvironment,
                         environment: ["PADDOCK_API_KEY": "k", "PADDOCK_URL": "https://paddock.example.com/"])
        #expect(fromEnvironment.baseURLs == ["https://paddock.example.com"])

        let fromFlag = Self.listServer()
        _ = await runCLI(["--url", "http://10.0.0.2:9000", "env", "list"], server: fromFlag,
                         environment: ["PADDOCK_API_KEY": "k", "PADDOCK_URL": "https://paddock.example.com"])
        #expect(fromFlag.baseURLs == ["http://10.0.0.2:9000"])
    }
}
