import Testing
import PaddockJSON
@testable import PaddockCLI

@Suite("session commands")
struct SessionCommandTests {
    /// Flags and the exact create body they must produce.
    static let createCases: [(arguments: [String], body: JSONValue)] = [
        (["--env", "data-science"], ["environment": "data-science"]),
        (["--env", "env_01ABC"], ["environment_id": "env_01ABC"]),
        (["--env", "web", "--cpus", "2", "--memory", "4096", "--pids", "256", "--disk", "1024"],
         ["environment": "web", "resources": ["cpus": 2, "memory_mb": 4096, "pids": 256, "disk_mb": 1024]]),
        (["--env", "web", "--cpus", "0.5"], ["environment": "web", "resources": ["cpus": 0.5]]),
        (["--env", "web", "--cpus", "2.0"], ["environment": "web", "resources": ["cpus": 2]]),
        (["--env", "web", "--env-var", "FOO=bar", "--env-var", "EMPTY=", "--env-var", "Q=a=b"],
         ["environment": "web", "env": ["FOO": "bar", "EMPTY": "", "Q": "a=b"]]),
        (["--env", "web", "--timeout", "600", "--idle-timeout", "60", "--metadata", "team=ml"],
         ["environment": "web", "metadata": ["team": "ml"], "timeout_seconds": 600, "idle_timeout_seconds": 60]),
        (["--env", "web", "--wait"], ["environment": "web", "wait": true]),
    ]

    @Test("create sends exactly the fields given", arguments: createCases)
    func createBody(arguments: [String], body: JSONValue) async {
        let server = FakeServer { _ in FakeServer.json(201, sessionFixture(status: "provisioning")) }
        let result = await runCLI(["session", "create"] + arguments, server: server)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.calls == ["POST /v1/sessions"])
        #expect(result.body() == body)
        #expect(result.requests[0].headers["content-type"] == "application/json")
        #expect(result.requests[0].headers["authorization"] == "Bearer pdk_test")
    }

    @Test("--wait gives the server time to provision; without it the transport default applies")
    func waitTimeout() async {
        let server = FakeServer { _ in FakeServer.json(201, sessionFixture()) }
        let waited = await runCLI(["session", "create", "--env", "web", "--wait"], server: server)
        #expect(waited.requests.last?.timeout == SessionCreate.waitTimeout)
        let quick = await runCLI(["session", "create", "--env", "web"], server: server)
        #expect(quick.requests.last?.timeout == nil)
    }

    @Test("the created session is shown as a block with its resources and steps")
    func createOutput() async throws {
        let session = sessionFixture()
        let server = FakeServer { _ in FakeServer.json(201, session) }
        let result = await runCLI(["session", "create", "--env", "data-science"], server: server)
        #expect(result.stdout == """
            id:            sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F
            status:        running
            environment:   data-science (env_01JEX6Q0W5M3T9ZK8B7N2C4D6F)
            resources:     2 cpus, 4096 MiB memory, 1024 pids, 10240 MiB disk
            env:           FOO=bar
            timeout:       3600 s
            idle timeout:  900 s
            metadata:      -
            steps:         base  cached  0 ms
                           apt   built   8.1 s
            created:       2026-12-03T16:39:34Z
            started:       2026-12-03T16:39:35Z
            ended:         -

            """)
        let json = await runCLI(["session", "create", "--env", "data-science", "--json"], server: server)
        #expect(try JSONParser.parse(json.stdout) == session)
    }

    @Test("create --wait that ends failed prints the block, then the failure, and exits 1")
    func createWaitFailed() async {
        let failed = sessionFixture(status: "failed", steps: [
            ["name": "base", "status": "cached", "duration_ms": 0],
            ["name": "pip", "status": "failed", "duration_ms": 2000],
        ], error: ["type": "provisioning_error", "message": "pip: no matching distribution for pandas==0.0.1"])
        let server = FakeServer { _ in FakeServer.json(201, failed) }
        let result = await runCLI(["session", "create", "--env", "web", "--wait"], server: server)
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("error:         provisioning_error: pip: no matching distribution for pandas==0.0.1\n"))
        #expect(result.stderr == "error: session sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F failed to start: pip: no matching distribution for pandas==0.0.1\n")
    }

    @Test("list sends its filters and resolves an environment name to its id")
    func listQuery() async {
        let web = environmentFixture(id: "env_01WEB", name: "web")
        let server = FakeServer { request in
            if request.path.hasPrefix("/v1/environments?") {
                return FakeServer.json(200, listFixture([web]))
            }
            return FakeServer.json(200, listFixture([]))
        }
        let byName = await runCLI(["session", "list", "--status", "running", "--env", "web", "--limit", "5"],
                                  server: server)
        #expect(byName.exitCode == 0, "stderr: \(byName.stderr)")
        #expect(byName.calls == ["GET /v1/environments?name=web&limit=1",
                                 "GET /v1/sessions?limit=5&status=running&environment_id=env_01WEB"])
        #expect(byName.stdout == "no sessions\n")
        let byID = await runCLI(["session", "list", "--env", "env_01X"], server: server)
        #expect(byID.calls.last == "GET /v1/sessions?environment_id=env_01X")
    }

    @Test("list shows a table with the environment's name and why sessions ended")
    func listTable() async {
        let sessions = [
            sessionFixture(id: "sess_01A", status: "running"),
            sessionFixture(id: "sess_01B", status: "terminated", environmentName: "web", terminationReason: "idle"),
            sessionFixture(id: "sess_01C", status: "failed", error: ["type": "provisioning_error",
                                                                     "message": "apt: unable to locate package nosuch"]),
        ]
        let server = FakeServer { _ in FakeServer.json(200, listFixture(sessions, hasMore: true)) }
        let result = await runCLI(["session", "list"], server: server)
        #expect(result.calls == ["GET /v1/sessions"])
        #expect(result.stdout == """
            ID        STATUS      ENVIRONMENT   CREATED               REASON
            sess_01A  running     data-science  2026-12-03T16:39:34Z  -
            sess_01B  terminated  web           2026-12-03T16:39:34Z  idle
            sess_01C  failed      data-science  2026-12-03T16:39:34Z  apt: unable to locate package nosuch

            """)
        #expect(result.stderr.contains("more sessions exist"))
    }

    @Test("get and delete address the session by id")
    func getAndDelete() async throws {
        let terminated = sessionFixture(status: "terminated", terminationReason: "deleted")
        let server = FakeServer { request in
            FakeServer.json(200, request.method == "DELETE" ? terminated : sessionFixture())
        }
        let get = await runCLI(["session", "get", "sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F"], server: server)
        #expect(get.calls == ["GET /v1/sessions/sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F"])
        #expect(get.stdout.hasPrefix("id:            sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F\nstatus:        running\n"))

        let deleted = await runCLI(["session", "delete", "sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F"], server: server)
        #expect(deleted.calls.last == "DELETE /v1/sessions/sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F")
        #expect(deleted.stdout == "deleted session sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F (terminated, reason: deleted)\n")
        let json = await runCLI(["session", "delete", "sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F", "--json"], server: server)
        #expect(try JSONParser.parse(json.stdout) == terminated)
    }

    @Test("an unknown session is the API's 404 message and exit 1")
    func notFound() async {
        let server = FakeServer { _ in FakeServer.error(404, "not_found_error", "no session with id 'sess_nope'") }
        let result = await runCLI(["session", "get", "sess_nope"], server: server)
        #expect(result.exitCode == 1)
        #expect(result.stderr == "error: no session with id 'sess_nope'\n")
    }

    @Test("logs prints the text as it is; --follow streams it with follow=true")
    func logs() async {
        let log = "base: cached\napt: installing jq\n\u{1B}[0mdone\n"
        let server = FakeServer { _ in
            APIResponse(status: 200, headers: ["content-type": "text/plain"], body: Array(log.utf8))
        }
        let plain = await runCLI(["session", "logs", "sess_01A"], server: server)
        #expect(plain.exitCode == 0)
        #expect(plain.calls == ["GET /v1/sessions/sess_01A/logs"])
        #expect(plain.requests[0].headers["accept"] == "text/plain")
        #expect(plain.stdout == log)
        #expect(server.streamed == [false])

        let followed = await runCLI(["session", "logs", "sess_01A", "--follow"], server: server)
        #expect(followed.exitCode == 0)
        #expect(followed.calls.last == "GET /v1/sessions/sess_01A/logs?follow=true")
        #expect(followed.stdout == log)
        #expect(server.streamed == [false, true])
        // The log arrives in several pieces and each is written as it comes.
        #expect(followed.writes.count == (log.utf8.count + server.streamPieceSize - 1) / server.streamPieceSize)
    }

    @Test("logs --follow of a session that does not exist fails before streaming")
    func logsNotFound() async {
        let server = FakeServer { _ in FakeServer.error(404, "not_found_error", "no session with id 'sess_x'") }
        let result = await runCLI(["session", "logs", "sess_x", "--follow"], server: server)
        #expect(result.exitCode == 1)
        #expect(result.stderr == "error: no session with id 'sess_x'\n")
        #expect(result.stdout.isEmpty)
    }

    /// Command lines that must fail with exit 2 before any request.
    static let invalid: [(arguments: [String], message: String, help: String)] = [
        (["session", "create"], "missing --env NAME|ID (the environment to start from; `paddock env list` shows them)",
         "paddock session create"),
        (["session", "create", "--env", "web", "--cpus", "0"],
         "--cpus must be a positive number such as 2 or 0.5 (got '0')", "paddock session create"),
        (["session", "create", "--env", "web", "--cpus", "two"],
         "--cpus must be a positive number such as 2 or 0.5 (got 'two')", "paddock session create"),
        (["session", "create", "--env", "web", "--memory", "-1"],
         "--memory needs a value (MB); write --memory=VALUE for a value that starts with '-'", "paddock session create"),
        (["session", "create", "--env", "web", "--memory=0"],
         "--memory must be a whole number of at least 1 (got '0')", "paddock session create"),
        (["session", "create", "--env", "web", "--env-var", "NOEQUALS"],
         "--env-var takes KEY=VALUE (got 'NOEQUALS')", "paddock session create"),
        (["session", "create", "--env", "web", "--timeout", "1.5"],
         "--timeout must be a whole number of at least 1 (got '1.5')", "paddock session create"),
        (["session", "list", "--status", "done"],
         "--status must be one of provisioning, running, failed, terminated (got 'done')", "paddock session list"),
        (["session", "get"], "missing argument SESSION", "paddock session get"),
        (["session", "delete", "a", "b"], "unexpected argument 'b'", "paddock session delete"),
        (["session", "logs", "sess_1", "--follw"], "unknown option '--follw'; did you mean '--follow'?",
         "paddock session logs"),
    ]

    @Test("an invalid session command line exits 2 with one error line", arguments: invalid)
    func invalidCommandLine(arguments: [String], message: String, help: String) async {
        let result = await runCLI(arguments)
        #expect(result.exitCode == 2)
        #expect(result.stderr == "error: \(message)\nsee '\(help) --help'\n")
        #expect(result.requests.isEmpty)
    }
}
