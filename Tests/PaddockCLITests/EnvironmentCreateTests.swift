import Testing
import PaddockJSON
@testable import PaddockCLI

@Suite("env create request bodies")
struct EnvironmentCreateTests {

    /// Flags and the exact body they must produce.
    static let cases: [(arguments: [String], body: JSONValue)] = [
        (["web"], ["name": "web", "config": ["type": "cloud"]]),
        (["web", "--description", "Web tier"],
         ["name": "web", "config": ["type": "cloud"], "description": "Web tier"]),
        (["web", "--apt", "jq", "--pip", "pandas==2.1.0", "--pip", "requests[socks]>=2,<3", "--npm", "@types/node@20"],
         ["name": "web", "config": ["type": "cloud", "packages": [
             "apt": ["jq"], "pip": ["pandas==2.1.0", "requests[socks]>=2,<3"], "npm": ["@types/node@20"]]]]),
        (["web", "--pip", "numpy"],
         ["name": "web", "config": ["type": "cloud", "packages": ["pip": ["numpy"]]]]),
        (["web", "--network", "unrestricted"],
         ["name": "web", "config": ["type": "cloud", "networking": ["type": "unrestricted"]]]),
        (["web", "--network", "limited"],
         ["name": "web", "config": ["type": "cloud", "networking": [
             "type": "limited", "allow_package_managers": false, "allowed_hosts": []]]]),
        (["web", "--network", "limited", "--allow-package-managers", "--allow-host", "api.example.com",
          "--allow-host", "*.example.org"],
         ["name": "web", "config": ["type": "cloud", "networking": [
             "type": "limited", "allow_package_managers": true,
             "allowed_hosts": ["api.example.com", "*.example.org"]]]]),
        (["web", "--network", "allowlist"],
         ["name": "web", "config": ["type": "cloud", "networking": ["type": "allowlist", "domains": []]]]),
        (["web", "--network", "allowlist", "--domain", "pypi.org", "--domain", "files.pythonhosted.org"],
         ["name": "web", "config": ["type": "cloud", "networking": [
             "type": "allowlist", "domains": ["pypi.org", "files.pythonhosted.org"]]]]),
        (["web", "--metadata", "team=ml", "--metadata", "query=a=b", "--metadata", "empty="],
         ["name": "web", "config": ["type": "cloud"],
          "metadata": ["team": "ml", "query": "a=b", "empty": ""]]),
        (["--json", "web", "--description", "d", "--network", "limited", "--npm", "eslint", "--metadata", "k=v"],
         ["name": "web", "config": ["type": "cloud",
                                    "networking": ["type": "limited", "allow_package_managers": false, "allowed_hosts": []],
                                    "packages": ["npm": ["eslint"]]],
          "description": "d", "metadata": ["k": "v"]]),
    ]

    @Test("flags become exactly the fields given", arguments: cases)
    func body(arguments: [String], body: JSONValue) async {
        let server = FakeServer { _ in FakeServer.json(201, environmentFixture()) }
        let result = await runCLI(["env", "create"] + arguments, server: server)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.calls == ["POST /v1/environments"])
        #expect(result.body() == body)
    }

    @Test("the request carries the key and a JSON content type")
    func headers() async {
        let server = FakeServer { _ in FakeServer.json(201, environmentFixture()) }
        let result = await runCLI(["env", "create", "web"], server: server)
        let request = result.requests[0]
        #expect(request.method == "POST")
        #expect(request.headers["authorization"] == "Bearer pdk_test")
        #expect(request.headers["content-type"] == "application/json")
    }

    @Test("--setup-script sends the file's contents")
    func setupScript() async throws {
        let file = try TemporaryFile("#!/bin/bash\nset -e\necho ready\n", suffix: ".sh")
        defer { file.cleanup() }
        let server = FakeServer { _ in FakeServer.json(201, environmentFixture()) }
        let result = await runCLI(["env", "create", "web", "--setup-script", file.path], server: server)
        #expect(result.exitCode == 0)
        #expect(result.body() == ["name": "web", "config": [
            "type": "cloud", "setup_script": "#!/bin/bash\nset -e\necho ready\n"]])
    }

    @Test("--from-file is the body; flags override and merge its top-level fields")
    func fromFileMerged() async throws {
        let file = try TemporaryFile("""
            {"name": "from-file", "description": "kept",
             "config": {"type": "cloud", "packages": {"apt": ["jq"]}, "setup_script": "echo file"},
             "metadata": {"team": "ml", "tier": "gold"}}
            """, suffix: ".json")
        defer { file.cleanup() }
        let server = FakeServer { _ in FakeServer.json(201, environmentFixture()) }
        let result = await runCLI(["env", "create", "renamed", "--from-file", file.path, "--pip", "numpy",
                                   "--metadata", "tier=silver", "--metadata", "owner=ana"], server: server)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.body() == [
            "name": "renamed", "description": "kept",
            "config": ["type": "cloud", "packages": ["pip": ["numpy"]], "setup_script": "echo file"],
            "metadata": ["team": "ml", "tier": "silver", "owner": "ana"],
        ])
    }

    @Test("--from-file alone sends the file as it is, with config.type filled in when missing")
    func fromFileAlone() async throws {
        let file = try TemporaryFile(#"{"name": "f", "config": {"networking": "unrestricted"}}"#, suffix: ".json")
        defer { file.cleanup() }
        let server = FakeServer { _ in FakeServer.json(201, environmentFixture()) }
        let result = await runCLI(["env", "create", "--from-file", file.path], server: server)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.body() == ["name": "f", "config": ["networking": "unrestricted", "type": "cloud"]])
    }

    @Test("--from-file without a name needs NAME", arguments: [
        (#"{"config": {"type": "cloud"}}"#, "missing argument NAME (the --from-file body has no \"name\")"),
        ("[1, 2]", "must hold a JSON object (the request body)"),
        (#"{"name": "x",}"#, "invalid JSON at byte"),
    ])
    func fromFileInvalid(contents: String, message: String) async throws {
        let file = try TemporaryFile(contents, suffix: ".json")
        defer { file.cleanup() }
        let result = await runCLI(["env", "create", "--from-file", file.path])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
        #expect(result.stderr.hasSuffix("see 'paddock env create --help'\n"))
        #expect(result.requests.isEmpty)
    }

    @Test("the created environment is shown as a block, or as the API's JSON with --json")
    func output() async throws {
        let created = environmentFixture(name: "web")
        let server = FakeServer { _ in FakeServer.json(201, created) }
        let text = await runCLI(["env", "create", "web"], server: server)
        #expect(text.stdout.hasPrefix("id:            env_01JEX6Q0W5M3T9ZK8B7N2C4D6F\nname:          web\n"))
        let json = await runCLI(["env", "create", "web", "--json"], server: server)
        #expect(try JSONParser.parse(json.stdout) == created)
        #expect(json.stdout == JSONWriter.pretty(created) + "\n")
    }
}
