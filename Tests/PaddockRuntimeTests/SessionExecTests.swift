import Foundation
import PaddockAgentProtocol
import PaddockCore
import Synchronization
import Testing
@testable import PaddockRuntime

/// Exec through the session's paddock-init: orphans, large output, background children,
/// timeouts and refused working directories.
@Suite("sessions: exec", .enabled(if: SessionTestBed.canRunSessions))
struct SessionExecTests {
    @Test("orphans are reaped: no zombie is left after they end")
    func orphansAreReaped() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision()
            let spawn = try await bed.shell(id, "for i in 1 2 3 4 5; do (sleep 1 &) ; done")
            #expect(spawn.exit.exitCode == 0)
            // Wait (bounded by attempts) until the orphaned sleeps have ended.
            var processes = ""
            for _ in 0..<100 {
                processes = try await bed.run(id, ["ps", "-eo", "stat=,comm="]).text
                if !processes.contains("sleep") { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(!processes.contains("sleep"), "the orphans did not end: \(processes)")
            let states = processes.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(!states.contains { $0.hasPrefix("Z") }, "zombies: \(processes)")
        }
    }

    @Test("output comes back byte-exact", arguments: [(1 << 20) - 1, 1 << 20, (1 << 20) + 1, 1 << 24])
    func largeOutput(size: Int) async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision()
            // Deterministic bytes; python prints their length and SHA-256 on stderr.
            let script = """
                import hashlib, random, sys
                data = random.Random(\(size)).randbytes(\(size))
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
                sys.stderr.write("%d %s" % (len(data), hashlib.sha256(data).hexdigest()))
                """
            let output = try await bed.run(id, ["python3", "-c", script], maxOutputBytes: (1 << 24) + 1024)
            #expect(output.exit.exitCode == 0)
            #expect(!output.exit.stdoutTruncated)
            #expect(output.stdout.count == size)
            #expect(output.errorText == "\(size) \(SHA256.hex(output.stdout))")
        }
    }

    @Test("an exec returns when its process exits, even with a background child holding the pipes")
    func backgroundChild() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision()
            let output = try await bed.shell(id, "sleep 100 & echo done")
            #expect(output.text == "done\n")
            #expect(output.exit.exitCode == 0)
            #expect(!output.exit.timedOut)
        }
    }

    @Test("a timeout kills the whole process group")
    func timeoutKillsGroup() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision()
            let output = try await bed.shell(id, "sleep 60 & sleep 60", timeoutMs: 1000)
            #expect(output.exit.timedOut)
            #expect(output.exit.signal == 9)
            var processes = ""
            for _ in 0..<50 {
                processes = try await bed.run(id, ["ps", "-eo", "comm="]).text
                if !processes.contains("sleep") { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(!processes.contains("sleep"), "left: \(processes)")
        }
    }

    @Test("a cwd under /proc/self/fd is refused, also when reached through a symlink")
    func procFileDescriptorCwd() async throws {
        #expect(throws: AgentError.self) { try ExecRequest(argv: ["pwd"], cwd: "/proc/self/fd/7") }
        try await withSessionTestBed { bed in
            let id = try await bed.provision()
            #expect(try await bed.shell(id, "ln -s /proc/self/fd /workspace/fds").exit.exitCode == 0)
            do {
                _ = try await bed.run(id, ["pwd"], cwd: "/workspace/fds/7")
                Issue.record("the agent ran a command in /proc/self/fd/7")
            } catch let error as PaddockError {
                #expect(error.code == .invalidArgument)
                #expect(error.param == "cwd")
            }
            #expect(try await bed.run(id, ["pwd"], cwd: "/tmp").text == "/tmp\n")
        }
    }

    @Test("exec in an unknown session is notFound")
    func unknownSession() async throws {
        try await withSessionTestBed { bed in
            await #expect(throws: PaddockError(.notFound, "no running session sess_missing in this runtime")) {
                try await bed.run("sess_missing", ["true"])
            }
        }
    }

    @Test("terminating the session ends a running exec with conflict")
    func terminateDuringExec() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision()
            let started = Mutex(false)
            let request = try ExecRequest(argv: ["sleep", "300"])
            let task = Task {
                try await bed.runtime.exec(sessionID: id, request: request, stdin: []) { event in
                    if case .started = event { started.withLock { $0 = true } }
                }
            }
            for _ in 0..<500 where !started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
            #expect(started.withLock { $0 })
            await bed.runtime.terminate(sessionID: id)
            do {
                _ = try await task.value
                Issue.record("the exec outlived its session")
            } catch let error as PaddockError {
                #expect(error.code == .conflict, "\(error)")
            }
            try await bed.expectNothingLeft(of: id)
        }
    }

    @Test("cancelling an exec kills its process group")
    func cancelledExec() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision()
            let task = Task { try await bed.shell(id, "sleep 300; echo never") }
            var processes = ""
            for _ in 0..<100 where !processes.contains("sleep") {
                try await Task.sleep(for: .milliseconds(50))
                processes = try await bed.run(id, ["ps", "-eo", "comm="]).text
            }
            #expect(processes.contains("sleep"))
            task.cancel()
            await #expect(throws: PaddockError.self) { try await task.value }
            for _ in 0..<100 where processes.contains("sleep") {
                try await Task.sleep(for: .milliseconds(50))
                processes = try await bed.run(id, ["ps", "-eo", "comm="]).text
            }
            #expect(!processes.contains("sleep"), "left: \(processes)")
        }
    }
}
