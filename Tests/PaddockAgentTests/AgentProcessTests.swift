import Foundation
import Glibc
import PaddockAgentProtocol
import Testing

/// Waits (bounded, polling) until `condition` holds; returns whether it did. Used only to
/// wait for effects the agent cannot report, never to assert on elapsed time.
func eventually(tries: Int = 500, _ condition: () throws -> Bool) rethrows -> Bool {
    for _ in 0..<tries {
        if try condition() { return true }
        usleep(20_000)
    }
    return false
}

@Suite("paddock-init manages processes")
struct AgentProcessTests {
    @Test("a command that leaves a background child returns when it exits")
    func backgroundChild() throws {
        let agent = try AgentUnderTest()
        let result = try agent.run(["sh", "-c", "sleep 100 & echo done"])
        #expect(text(result.stdout) == "done\n")
        #expect(result.exit?.exitCode == 0)
        // The background sleep is still running in the command's process group.
        let group = try #require(result.pid)
        #expect(processGroupExists(group))
        kill(-group, SIGKILL)
    }

    @Test("a timeout kills the whole process group")
    func timeoutKillsGroup() throws {
        let agent = try AgentUnderTest()
        let result = try agent.run(["sh", "-c", "sleep 100 & sleep 100"], timeoutMs: 500)
        #expect(result.exit?.timedOut == true)
        #expect(result.exit?.signal == Int(SIGKILL))
        #expect(result.exit?.exitCode == nil)
        let group = try #require(result.pid)
        #expect(kill(-group, 0) == -1 && errno == ESRCH)
    }

    @Test("output written before a timeout is kept")
    func outputBeforeTimeout() throws {
        let agent = try AgentUnderTest()
        let result = try agent.run(["sh", "-c", "echo partial; exec sleep 100"], timeoutMs: 300)
        #expect(text(result.stdout) == "partial\n")
        #expect(result.exit?.timedOut == true)
    }

    @Test("a signal frame reaches the whole process group")
    func cancel() throws {
        let agent = try AgentUnderTest()
        let connection = try agent.connect()
        try connection.start(ExecRequest(argv: ["sh", "-c", "sleep 100 & wait"],
                                         env: [("PATH", AgentUnderTest.path)]))
        guard case .started(let group)? = try connection.nextEvent(timeoutMs: 60_000) else {
            Issue.record("expected started first")
            return
        }
        connection.signal(SIGTERM)
        var result = AgentExecResult()
        result.collect(.started(pid: group))
        while let event = try connection.nextEvent(timeoutMs: 60_000) { result.collect(event) }
        #expect(result.exit?.signal == Int(SIGTERM))
        #expect(result.exit?.timedOut == false)
        #expect(eventually { !processGroupExists(group) })
    }

    @Test("stdin can be streamed while output is read")
    func interactiveStdin() throws {
        let agent = try AgentUnderTest()
        let connection = try agent.connect()
        try connection.start(ExecRequest(argv: ["sh", "-c", "read line; echo \"got $line\"; cat"],
                                         env: [("PATH", AgentUnderTest.path)], stdinFollows: true))
        connection.writeStdin(Array("first\n".utf8))
        var output: [UInt8] = []
        while text(output) != "got first\n" {
            switch try connection.nextEvent(timeoutMs: 60_000) {
            case .stdout(let bytes)?: output += bytes
            case .started?: continue
            case let other: Issue.record("unexpected \(String(describing: other))"); return
            }
        }
        connection.writeStdin(Array("second".utf8))
        connection.closeStdin()
        var result = AgentExecResult()
        while let event = try connection.nextEvent(timeoutMs: 60_000) { result.collect(event) }
        #expect(text(result.stdout) == "second")
        #expect(result.exit?.exitCode == 0)
    }

    @Test("closing the connection kills the command's process group")
    func disconnectKills() throws {
        let agent = try AgentUnderTest()
        let connection = try agent.connect()
        try connection.start(ExecRequest(argv: ["sh", "-c", "sleep 100 & sleep 100"],
                                         env: [("PATH", AgentUnderTest.path)]))
        guard case .started(let group)? = try connection.nextEvent(timeoutMs: 60_000) else {
            Issue.record("expected started first")
            return
        }
        connection.disconnect()
        #expect(throws: AgentError.self) { _ = try connection.nextEvent(timeoutMs: 60_000) }
        #expect(eventually { !processGroupExists(group) })
    }

    @Test("twenty execs run concurrently on one agent")
    func concurrentExecs() throws {
        let agent = try AgentUnderTest()
        let connections = try (0..<20).map { index in
            let connection = try agent.connect()
            try connection.start(ExecRequest(argv: ["sh", "-c", "sleep 0.3; echo $0; echo err$0 >&2", "\(index)"],
                                             env: [("PATH", AgentUnderTest.path)]))
            return connection
        }
        for (index, connection) in connections.enumerated() {
            var result = AgentExecResult()
            while let event = try connection.nextEvent(timeoutMs: 60_000) { result.collect(event) }
            #expect(text(result.stdout) == "\(index)\n")
            #expect(text(result.stderr) == "err\(index)\n")
            #expect(result.exit?.exitCode == 0)
        }
    }

    @Test("the command runs as the requested user", .enabled(if: runningAsRoot, "switching users needs root"),
          arguments: [("nobody", "65534 65534"), ("1234", "1234 0"), ("1234:4321", "1234 4321"), ("0", "0 0")])
    func user(spec: String, ids: String) throws {
        let agent = try AgentUnderTest()
        let result = try agent.run(["sh", "-c", "echo $(id -u) $(id -g)"], user: spec)
        // A uid without a passwd entry gets group 0, as in Docker.
        #expect(text(result.stdout) == ids + "\n")
    }

    @Test("a cwd the user may not enter is refused", .enabled(if: runningAsRoot, "switching users needs root"))
    func cwdNotEnterable() throws {
        let agent = try AgentUnderTest()
        // The agent's temporary directory is root's, mode 0700.
        let cwd = URL(fileURLWithPath: agent.directory).resolvingSymlinksInPath().path
        #expect(throws: AgentError(.invalidArgument, "cannot enter cwd \(cwd): Permission denied")) {
            _ = try agent.run(["pwd"], cwd: agent.directory, user: "nobody")
        }
    }

    @Test("an unknown user is refused")
    func unknownUser() throws {
        let agent = try AgentUnderTest()
        #expect(throws: AgentError(.invalidArgument, "unknown user: no-such-user-paddock")) {
            _ = try agent.run(["true"], user: "no-such-user-paddock")
        }
    }
}

@Suite("paddock-init as PID 1", .enabled(if: runningAsRoot, "a new PID namespace needs root"))
struct AgentInitTests {
    @Test("orphans are reaped and the command's status is not stolen")
    func orphansLeaveNoZombies() throws {
        let agent = try AgentUnderTest(asInitOfNewPIDNamespace: true)
        let comm = try agent.run(["cat", "/proc/1/comm"])
        #expect(text(comm.stdout) == "paddock-init\n")
        // Five children outlive the shell, become orphans of PID 1 and exit later.
        let result = try agent.run(["sh", "-c", "for i in 1 2 3 4 5; do sleep 0.2 & done; exit 7"])
        #expect(result.exit?.exitCode == 7)
        var listing = ""
        let settled = try eventually {
            listing = text(try agent.run(["ps", "-e", "-o", "pid=,stat=,comm="]).stdout)
            return !listing.contains("sleep")
        }
        #expect(settled, "the sleeps did not end: \(listing)")
        let zombies = listing.split(separator: "\n").filter { $0.split(separator: " ").dropFirst().first?.hasPrefix("Z") == true }
        #expect(zombies.isEmpty, "zombies left: \(listing)")
    }

    @Test("many short commands as PID 1 each report their own exit code")
    func statusesUnderInit() throws {
        let agent = try AgentUnderTest(asInitOfNewPIDNamespace: true)
        for code in 0..<20 {
            let result = try agent.run(["sh", "-c", "true & exit \(code)"])
            #expect(result.exit?.exitCode == code)
        }
    }
}
