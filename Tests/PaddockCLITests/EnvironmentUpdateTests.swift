import Testing
import PaddockJSON
@testable import PaddockCLI

@Suite("env update request bodies")
struct EnvironmentUpdateTests {
    static let id = "env_01JEX6Q0W5M3T9ZK8B7N2C4D6F"

    /// Flags and the exact patch they must produce.
    static let cases: [(arguments: [String], body: JSONValue)] = [
        (["--description", "new"], ["description": "new"]),
        (["--clear-description"], ["description": nil]),
        (["--name", "renamed"], ["name": "renamed"]),
        (["--pip", "pandas==2.2.0", "--pip", "numpy"], ["config": ["packages": ["pip": ["pandas==2.2.0", "numpy"], "apt": ["jq"], "npm": []]]]),
        (["--apt", "curl", "--npm", "eslint"], ["config": ["packages": ["apt": ["curl"], "npm": ["eslint"], "pip": ["six"]]]]),
        (["--clear-packages"], ["config": ["packages": [:]]]),
        (["--clear-setup-script"], ["config": ["setup_script": nil]]),
        (["--network", "unrestricted"], ["config": ["networking": ["type": "unrestricted"]]]),
        (["--network", "allowlist"], ["config": ["networking": ["type": "allowlist", "domains": []]]]),
        (["--network", "limited", "--allow-package-managers"],
         ["config": ["networking": ["type": "limited", "allow_package_managers": true, "allowed_hosts": []]]]),
        (["--metadata", "team=ml", "--unset-metadata", "owner", "--unset-metadata", "tier"],
         ["metadata": ["team": "ml", "owner": nil, "tier": nil]]),
        (["--name", "web2", "--description", "d", "--network", "allowlist", "--domain", "pypi.org",
          "--pip", "a", "--clear-setup-script", "--metadata", "new=1", "--unset-metadata", "old"],
         ["name": "web2", "description": "d",
          "config": ["networking": ["type": "allowlist", "domains": ["pypi.org"]],
                     "packages": ["pip": ["a"], "apt": ["jq"], "npm": []], "setup_script": nil],
          "metadata": ["new": "1", "old": nil]]),
    ]

    @Test("only the changed fields are sent; package flags keep the managers they do not name", arguments: cases)
    func patch(arguments: [String], body: JSONValue) async {
        let current = environmentFixture(id: Self.id, packages: ["apt": ["jq"], "pip": ["six"], "npm": []])
        let server = environmentServer([current])
        let result = await runCLI(["env", "update", Self.id] + arguments, server: server)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        let readsCurrent = ["--apt", "--pip", "--npm"].contains(where: arguments.contains)
        #expect(result.calls == (readsCurrent ? ["GET /v1/environments/\(Self.id)"] : []) + ["POST /v1/environments/\(Self.id)"])
        #expect(result.body(result.calls.count - 1) == body)
    }

    @Test("a name is resolved before the update is sent to the id")
    func byName() async {
        let server = environmentServer([environmentFixture(id: Self.id, name: "web")])
        let result = await runCLI(["env", "update", "web", "--description", "x"], server: server)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.calls == ["GET /v1/environments?name=web&limit=1", "POST /v1/environments/\(Self.id)"])
        #expect(result.body(1) == ["description": "x"])
    }

    @Test("--setup-script replaces the script with the file's contents")
    func setupScript() async throws {
        let file = try TemporaryFile("pip install -e .\n", suffix: ".sh")
        defer { file.cleanup() }
        let server = environmentServer([environmentFixture(id: Self.id)])
        let result = await runCLI(["env", "update", Self.id, "--setup-script", file.path], server: server)
        #expect(result.body() == ["config": ["setup_script": "pip install -e .\n"]])
    }

    @Test("--from-file supplies the patch and flags add to it")
    func fromFile() async throws {
        let file = try TemporaryFile(#"{"description": "from file", "metadata": {"a": "1"}}"#, suffix: ".json")
        defer { file.cleanup() }
        let server = environmentServer([environmentFixture(id: Self.id)])
        let result = await runCLI(["env", "update", Self.id, "--from-file", file.path, "--unset-metadata", "b"],
                                  server: server)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.body() == ["description": "from file", "metadata": ["a": "1", "b": nil]])
    }
}
