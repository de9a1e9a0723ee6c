import Testing
import PaddockJSON
@testable import PaddockCLI

@Suite("env list")
struct EnvironmentListTests {
    static let first = environmentFixture(
        id: "env_01B", name: "data-science",
        networking: ["type": "limited", "allow_package_managers": true, "allowed_hosts": []],
        packages: ["apt": ["jq"], "pip": ["pandas==2.1.0", "numpy"], "npm": []],
        createdAt: "2026-12-03T16:39:34.123Z")
    static let second = environmentFixture(
        id: "env_01A", name: "default", createdAt: "2026-12-01T09:00:00.000Z")

    @Test("the table aligns ID, NAME, NETWORK, PACKAGES and CREATED")
    func table() async {
        let server = FakeServer { _ in FakeServer.json(200, listFixture([Self.first, Self.second])) }
        let result = await runCLI(["env", "list"], server: server)
        #expect(result.exitCode == 0)
        #expect(result.stdout == """
            ID       NAME          NETWORK       PACKAGES           CREATED
            env_01B  data-science  limited       apt:1 pip:2 npm:0  2026-12-03T16:39:34Z
            env_01A  default       unrestricted  apt:0 pip:0 npm:0  2026-12-01T09:00:00Z

            """)
        #expect(result.stderr.isEmpty)
    }

    @Test("more pages are mentioned on stderr, not in the table")
    func hasMoreNote() async {
        let server = FakeServer { _ in FakeServer.json(200, listFixture([Self.first], hasMore: true)) }
        let result = await runCLI(["env", "list", "--limit", "1"], server: server)
        #expect(result.stderr == "more environments exist; use --all to list every one\n")
        #expect(!result.stdout.contains("more"))
    }

    @Test("an empty list says so")
    func empty() async {
        let server = FakeServer { _ in FakeServer.json(200, listFixture([])) }
        #expect(await runCLI(["env", "list"], server: server).stdout == "no environments\n")
        #expect(await runCLI(["env", "list", "--name", "x"], server: server).stdout == "no environment named 'x'\n")
    }

    @Test("--json prints the whole list object")
    func json() async throws {
        let list = listFixture([Self.first], hasMore: true)
        let server = FakeServer { _ in FakeServer.json(200, list) }
        let result = await runCLI(["env", "list", "--json"], server: server)
        #expect(try JSONParser.parse(result.stdout) == list)
        #expect(result.stderr.isEmpty)
    }

    /// Three pages: env_03, env_02 | env_01 with has_more on the first.
    static func pagedServer() -> FakeServer {
        let envs = ["env_03", "env_02", "env_01"].map { environmentFixture(id: $0, name: $0) }
        return FakeServer { request in
            if request.path.contains("after_id=env_02") {
                return FakeServer.json(200, listFixture([envs[2]]))
            }
            return FakeServer.json(200, listFixture([envs[0], envs[1]], hasMore: true))
        }
    }

    @Test("--all follows last_id with after_id until has_more is false")
    func all() async throws {
        let result = await runCLI(["env", "list", "--all", "--json"], server: Self.pagedServer())
        #expect(result.exitCode == 0)
        #expect(result.calls == ["GET /v1/environments?limit=100",
                                 "GET /v1/environments?limit=100&after_id=env_02"])
        let ids = try JSONParser.parse(result.stdout).arrayValue?.compactMap { $0["id"]?.stringValue }
        #expect(ids == ["env_03", "env_02", "env_01"])
    }

    @Test("--all with --limit uses it as the page size and prints one table")
    func allWithLimit() async {
        let result = await runCLI(["env", "list", "--all", "--limit", "2"], server: Self.pagedServer())
        #expect(result.calls == ["GET /v1/environments?limit=2", "GET /v1/environments?limit=2&after_id=env_02"])
        #expect(result.stdout.split(separator: "\n").count == 4)
        #expect(result.stderr.isEmpty)
    }
}
