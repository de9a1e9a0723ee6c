import Foundation
import Testing
import PaddockJSON
@testable import PaddockCLI

@Suite("run")
struct RunTests {
    static let id = "sess_01RUN"

    /// A server that creates a provisioning session, answers `polls` GETs with provisioning
    /// before `final`, answers exec with `exec`, and records deletes.
    static func server(polls: Int = 1, final: JSONValue = sessionFixture(id: id, status: "running"),
                       exec: @escaping @Sendable () -> APIResponse = { execResponse([outputEvent("stdout", "hi\n"), exitEvent(code: 0)]) },
                       onRequest: @escaping @Sendable (APIRequest) -> Void = { _ in }) -> FakeServer {
        let counter = Counter()
        return FakeServer { request in
            onRequest(request)
            switch (request.method, request.path) {
            case ("POST", "/v1/sessions"):
                return FakeServer.json(201, sessionFixture(id: id, status: "provisioning", steps: []))
            case ("GET", "/v1/sessions/\(id)"):
                if counter.next() < polls {
                    return FakeServer.json(200, sessionFixture(id: id, status: "provisioning", steps: [
                        ["name": "base", "status": "cached", "duration_ms": 0],
                        ["name": "pip", "status": "building", "duration_ms": nil],
                    ]))
                }
                return FakeServer.json(200, final)
            case ("POST", "/v1/sessions/\(id)/exec"):
                return exec()
            case ("DELETE", "/v1/sessions/\(id)"):
                return FakeServer.json(200, sessionFixture(id: id, status: "terminated", terminationReason: "deleted"))
            default:
                return FakeServer.error(404, "not_found_error", "no route \(request.method) \(request.path)")
            }
        }
    }

    @Test("create without waiting, poll until running, exec streamed, delete; exit with the command's code")
    func order() async {
        let server = Self.server(polls: 2, exec: {
            execResponse([outputEvent("stdout", "hi\n"), outputEvent("stderr", "oops\n"), exitEvent(code: 7)])
        })
        let result = await runCLI(["run", "--env", "web", "--memory", "512", "--", "python3", "-c", "x"], server: server)
        #expect(result.exitCode == 7, "stderr: \(result.stderr)")
        #expect(result.calls == [
            "POST /v1/sessions",
            "GET /v1/sessions/\(Self.id)", "GET /v1/sessions/\(Self.id)", "GET /v1/sessions/\(Self.id)",
            "POST /v1/sessions/\(Self.id)/exec",
            "DELETE /v1/sessions/\(Self.id)",
        ])
        #expect(result.body(0) == ["environment": "web", "resources": ["memory_mb": 512], "wait": false])
        #expect(result.body(4) == ["command": ["python3", "-c", "x"], "encoding": "base64"])
        #expect(result.requests[4].headers["accept"] == "application/x-ndjson")
        #expect(result.stdout == "hi\n")
        // Not a terminal: no progress, only the command's own stderr.
        #expect(result.stderr == "oops\n")
    }

    @Test("the session lives past the command's --timeout; session flags go to the session")
    func bodies() async {
        let server = Self.server(polls: 0)
        let result = await runCLI(["run", "--env", "env_01ABC", "--timeout", "30", "--env-var", "A=1",
                                   "--cwd", "/tmp", "--shell", "echo $A"], server: server)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.body(0) == ["environment_id": "env_01ABC", "env": ["A": "1"],
                                   "timeout_seconds": .number(JSONNumber(30 + Run.provisioningAllowance)), "wait": false])
        #expect(result.body(2) == ["command": "echo $A", "cwd": "/tmp", "timeout_seconds": 30, "encoding": "base64"])
    }

    @Test("a session that fails to provision: its steps and error on stderr, exit 1, and it is still deleted")
    func provisioningFailed() async {
        let failed = sessionFixture(id: Self.id, status: "failed", steps: [
            ["name": "base", "status": "cached", "duration_ms": 0],
            ["name": "pip", "status": "failed", "duration_ms": 2300],
        ], error: ["type": "provisioning_error", "message": "pip: no matching distribution found for pandas==0.0.1"])
        let server = Self.server(polls: 1, final: failed)
        let result = await runCLI(["run", "--env", "web", "--", "true"], server: server)
        #expect(result.exitCode == 1)
        #expect(result.calls == ["POST /v1/sessions", "GET /v1/sessions/\(Self.id)", "GET /v1/sessions/\(Self.id)",
                                 "DELETE /v1/sessions/\(Self.id)"])
        #expect(result.stderr == """
            session \(Self.id) (data-science): failed
              base  cached  0 ms
              pip   failed  2.3 s
            error: session \(Self.id) failed to start: pip: no matching distribution found for pandas==0.0.1

            """)
        #expect(result.stdout.isEmpty)
    }

    @Test("an exec the server refuses still deletes the session")
    func execRefused() async {
        let server = Self.server(polls: 0, exec: {
            FakeServer.error(409, "conflict_error", "session \(RunTests.id) is terminated; exec needs a running session")
        })
        let result = await runCLI(["run", "--env", "web", "--", "true"], server: server)
        #expect(result.exitCode == 1)
        #expect(result.calls.last == "DELETE /v1/sessions/\(Self.id)")
        #expect(result.stderr == "error: session \(Self.id) is terminated; exec needs a running session\n")
    }

    @Test("a timed-out command exits 124 after the session is deleted")
    func timedOut() async {
        let server = Self.server(polls: 0, exec: {
            execResponse([exitEvent(code: nil, signal: 9, timedOut: true, durationMS: 1000)])
        })
        let result = await runCLI(["run", "--env", "web", "--timeout", "1", "--", "sleep", "9"], server: server)
        #expect(result.exitCode == 124)
        #expect(result.calls.last == "DELETE /v1/sessions/\(Self.id)")
        #expect(result.stderr == "error: the command timed out after 1.0 s and was killed (raise --timeout)\n")
    }

    @Test("Ctrl-C during the command deletes the session and exits 130")
    func interruptDuringExec() async {
        let interrupts = ManualInterrupts()
        let server = Self.server(polls: 0, exec: {
            interrupts.interrupt()
            return execResponse([outputEvent("stdout", "working\n")], holdOpen: true)
        })
        let result = await runCLI(["run", "--env", "web", "--", "sleep", "1000"], server: server,
                                  interrupts: interrupts.interrupts)
        #expect(result.exitCode == 130)
        #expect(result.calls == ["POST /v1/sessions", "GET /v1/sessions/\(Self.id)",
                                 "POST /v1/sessions/\(Self.id)/exec", "DELETE /v1/sessions/\(Self.id)"])
        #expect(result.stderr.hasSuffix("error: interrupted; deleted session \(Self.id)\n"))
        // The command's stream was closed by the interrupt, not left to end on its own.
        #expect(server.cancelledStreams == 1)
    }

    @Test("Ctrl-C while provisioning deletes the session without running the command")
    func interruptDuringProvisioning() async {
        let interrupts = ManualInterrupts()
        // Provisioning for a minute of polls: without the interrupt the command would run.
        let server = Self.server(polls: 300, onRequest: { request in
            if request.method == "GET" { interrupts.interrupt(SIGTERM) }
        })
        let result = await runCLI(["run", "--env", "web", "--", "true"], server: server,
                                  interrupts: interrupts.interrupts)
        #expect(result.exitCode == 128 + SIGTERM)
        #expect(result.calls.first == "POST /v1/sessions")
        #expect(result.calls.last == "DELETE /v1/sessions/\(Self.id)")
        #expect(!result.calls.contains("POST /v1/sessions/\(Self.id)/exec"))
    }

    @Test("on a terminal the steps are redrawn in place while provisioning")
    func terminalProgress() async {
        let server = Self.server(polls: 1)
        let result = await runCLI(["run", "--env", "web", "--", "true"], server: server, terminal: true)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        let clear = "\r\u{1B}[2K"
        #expect(result.stderr == [
            // The created session: no steps yet.
            clear + "session \(Self.id) (data-science): provisioning\n",
            // First poll: two steps, drawn over the one line before.
            "\u{1B}[1A" + clear + "session \(Self.id) (data-science): provisioning\n"
                + clear + "  base  cached    0 ms\n" + clear + "  pip   building  -\n",
            // Running: three lines over three.
            "\u{1B}[3A" + clear + "session \(Self.id) (data-science): running\n"
                + clear + "  base  cached  0 ms\n" + clear + "  apt   built   8.1 s\n",
        ].joined())
    }

    @Test("run without --env or without a command is a usage error", arguments: [
        (["run", "--", "true"], "missing --env NAME|ID (the environment to start from; `paddock env list` shows them)"),
        (["run", "--env", "web"], "missing the command to run; put it after '--', e.g. paddock run --env web -- ls -la"),
        (["run", "--env", "web", "true"], "unexpected argument 'true'; put COMMAND [ARG]... after '--'"),
    ])
    func usage(arguments: [String], message: String) async {
        let result = await runCLI(arguments)
        #expect(result.exitCode == 2)
        #expect(result.stderr == "error: \(message)\nsee 'paddock run --help'\n")
        #expect(result.requests.isEmpty)
    }
}

/// Counts calls from any thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    /// The number of earlier calls.
    func next() -> Int {
        lock.withLock {
            defer { count += 1 }
            return count
        }
    }
}
