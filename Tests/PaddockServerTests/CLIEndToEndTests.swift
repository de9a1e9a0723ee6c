import Foundation
import PaddockTestSupport
import PaddockJSON
import Testing

/// The built `paddock` binary as a user runs it, against a real `paddock serve`.
@Suite("CLI against a running server", .serialized)
final class CLIEndToEndTests {
    let directory: String
    let server: ServerProcess

    init() throws {
        directory = try TemporaryDirectory.make()
        server = try ServerProcess(dataDirectory: directory)
    }

    deinit {
        server.finish()
    }

    struct Run { let code: Int32; let stdout: String; let stderr: String; var json: JSONValue { (try? JSONParser.parse(stdout)) ?? .null } }

    /// Runs `paddock ARGS` with the server's URL and data directory in the environment
    /// (so the key comes from admin.key, as for a user after `make run`).
    func paddock(_ arguments: String..., environment extra: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PADDOCK_URL"] = "http://127.0.0.1:\(server.port)"
        environment["PADDOCK_DATA"] = directory
        environment.removeValue(forKey: "PADDOCK_API_KEY")
        for (k, v) in extra { environment[k] = v }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = PipeReading.readAll(out.fileHandleForReading)
        let stderr = PipeReading.readAll(err.fileHandleForReading)
        process.waitUntilExit()
        return Run(code: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test("create with flags, list, get by name, update, delete")
    func environmentLifecycle() throws {
        let created = try paddock("env", "create", "data", "--apt", "jq", "--pip", "six==1.16.0", "--npm", "typescript@5.0.0",
                                  "--network", "limited", "--allow-package-managers", "--allow-host", "PyPI.org",
                                  "--metadata", "team=data", "--json")
        #expect(created.code == 0, "\(created.stderr)")
        let env = try #require(created.json.objectValue)
        #expect(env["config"]?.objectValue?["networking"] == ["type": "limited", "allow_package_managers": true, "allowed_hosts": ["pypi.org"]])
        #expect(env["config"]?.objectValue?["packages"] == ["apt": ["jq"], "pip": ["six==1.16.0"], "npm": ["typescript@5.0.0"]])
        #expect(env["metadata"] == ["team": "data"])

        let list = try paddock("env", "list")
        #expect(list.code == 0)
        #expect(list.stdout.contains("data") && list.stdout.contains("default") && list.stdout.contains("limited"))

        let got = try paddock("env", "get", "data", "--json")
        #expect(got.json == created.json)

        let updated = try paddock("env", "update", "data", "--description", "numbers", "--json")
        #expect(updated.code == 0)
        #expect(updated.json.objectValue?["description"] == "numbers")
        #expect(updated.json.objectValue?["config"] == env["config"], "an update keeps what it does not name")

        let repinned = try paddock("env", "update", "data", "--pip", "six==1.17.0", "--json")
        #expect(repinned.json.objectValue?["config"]?.objectValue?["packages"] == ["apt": ["jq"], "pip": ["six==1.17.0"], "npm": ["typescript@5.0.0"]],
                "--pip replaces the pip list and keeps apt and npm")

        #expect(try paddock("env", "delete", "data").code == 0)
        let gone = try paddock("env", "get", "data")
        #expect(gone.code == 1)
        #expect(gone.stderr.contains("no environment named 'data'"))
    }

    @Test("an environment from a JSON file, and an allowlist with no domains")
    func fromFile() throws {
        let path = directory + "/env.json"
        try #"{"name": "sealed", "config": {"type": "cloud", "networking": {"type": "allowlist", "domains": []}}}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        let created = try paddock("env", "create", "--from-file", path, "--json")
        #expect(created.code == 0, "\(created.stderr)")
        #expect(created.json.objectValue?["config"]?.objectValue?["networking"] == ["type": "allowlist", "domains": []])
    }

    @Test("the API's refusal is exit 1 with its message; a usage error is exit 2")
    func exitCodes() throws {
        let refused = try paddock("env", "create", "bad", "--pip=--index-url=http://x")
        #expect(refused.code == 1)
        #expect(refused.stderr.contains("config.packages.pip[0]"))
        #expect(refused.stdout.isEmpty)
        let usage = try paddock("env", "create", "x", "--frobnicate")
        #expect(usage.code == 2)
        #expect(usage.stderr.contains("--help"))
        let defaultDelete = try paddock("env", "delete", "default")
        #expect(defaultDelete.code == 1)
        #expect(defaultDelete.stderr.contains("default environment cannot be deleted"))
        let unreachable = try paddock("env", "list", environment: ["PADDOCK_URL": "http://127.0.0.1:1"])
        #expect(unreachable.code == 1)
        let help = try paddock("env", "create", "--help")
        #expect(help.code == 0)
        #expect(help.stdout.contains("--allow-package-managers"))
    }

    @Test("accounts and keys: a new account sees only its own environments")
    func accountsAndKeys() throws {
        let account = try paddock("accounts", "create", "team-b", "--json")
        #expect(account.code == 0, "\(account.stderr)")
        let key = try #require(account.json.objectValue?["api_key"]?.stringValue)
        let mine = try paddock("env", "list", "--json", environment: ["PADDOCK_API_KEY": key])
        let names = mine.json.objectValue?["data"]?.arrayValue?.compactMap { $0.objectValue?["name"]?.stringValue }
        #expect(names == ["default"])
        let made = try paddock("keys", "create", "--name", "ci", "--json", environment: ["PADDOCK_API_KEY": key])
        #expect(made.code == 0)
        let keys = try paddock("keys", "list", "--json", environment: ["PADDOCK_API_KEY": key])
        #expect(keys.json.objectValue?["data"]?.arrayValue?.count == 2)
        let me = try paddock("accounts", "me", "--json", environment: ["PADDOCK_API_KEY": key])
        #expect(me.json.objectValue?["name"] == "team-b")
        let wrong = try paddock("env", "list", environment: ["PADDOCK_API_KEY": "pdk_" + String(repeating: "x", count: 43)])
        #expect(wrong.code == 1)
    }
}
