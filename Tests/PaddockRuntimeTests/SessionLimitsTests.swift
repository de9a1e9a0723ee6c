import Foundation
import Glibc
import PaddockAgentProtocol
import PaddockCore
import Testing
@testable import PaddockRuntime

/// The session's limits hold and the session survives them: memory, processes, disk.
@Suite("sessions: limits", .enabled(if: SessionTestBed.canRunSessions))
struct SessionLimitsTests {
    @Test("running out of memory kills the process (oom_killed), not the session or its neighbour")
    func outOfMemory() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision(memoryMB: 1024)
            let neighbour = try await bed.provision(memoryMB: 256)
            let output = try await bed.run(id, ["python3", "-c", "data = bytearray(b'x') * (1536 << 20); print(len(data))"])
            #expect(output.exit.signal == 9)
            #expect(output.exit.exitCode == nil)
            #expect(output.exit.shellStatus == 137)
            #expect(output.exit.oomKilled)
            #expect(output.text.isEmpty)

            #expect(await bed.runtime.isAlive(sessionID: id))
            #expect(try await bed.run(id, ["echo", "still here"]).text == "still here\n")
            #expect(await bed.runtime.isAlive(sessionID: neighbour))
            #expect(try await bed.run(neighbour, ["echo", "unaffected"]).text == "unaffected\n")
        }
    }

    @Test("a fork bomb stops at the pids limit and the session answers after its timeout")
    func forkBomb() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision(pids: 64)
            // The bomb runs in the exec's process group; `exec sleep` (no fork needed) keeps the
            // exec running until its timeout kills the whole group.
            let bomb = try await bed.shell(id, ":(){ :|:& };: ; exec sleep 60", timeoutMs: 3000)
            #expect(bomb.exit.timedOut)

            // pids.events of the session's pids cgroup (v1 controller directory or v2 unified).
            let events = try #require(SessionCgroups.directories(for: id)
                .lazy.compactMap { try? String(contentsOfFile: $0 + "/pids.events", encoding: .utf8) }.first)
            let refusals = events.split(separator: "\n").first { $0.hasPrefix("max ") }.flatMap { Int($0.dropFirst(4)) }
            #expect((refusals ?? 0) > 0, "the pids limit never refused a fork: \(events)")

            // The group was killed with the timeout; forks may fail for a moment while the
            // last processes exit, so a few attempts are allowed.
            var answer: ExecOutput?
            for _ in 0..<50 {
                if let output = try? await bed.run(id, ["echo", "alive"]), output.exit.exitCode == 0 {
                    answer = output
                    break
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(answer?.text == "alive\n")
            let processes = try await bed.run(id, ["ps", "-eo", "pid="]).text.split(separator: "\n")
            #expect(processes.count < 10, "the bomb survived: \(processes.count) processes")
            #expect(await bed.runtime.isAlive(sessionID: id))
        }
    }

    @Test("writing past disk_mb fails with no space left, on the session's own disk only")
    func diskLimit() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision(diskMB: 32)
            let output = try await bed.shell(id, "head -c 100M /dev/zero > /workspace/big")
            #expect(output.exit.exitCode != 0)
            #expect(output.errorText.contains("No space left on device"))

            // The session's writes live on its tmpfs; nothing reached the data directory's disk.
            var disk = statvfs()
            #expect(statvfs(bed.sessionDirectory(id) + "/disk", &disk) == 0)
            #expect(Int(disk.f_blocks) * Int(disk.f_frsize) <= 32 << 20)
            #expect(Int(disk.f_bavail) * Int(disk.f_frsize) < 1 << 20)
            #expect(DirectoryTree.allocatedBytes(at: bed.dataDirectory) < 4 << 20)

            // A file write through the API that does not fit fails as tooLarge and leaves no file.
            #expect(try await bed.shell(id, "rm /workspace/big").exit.exitCode == 0)
            let path = try SessionPath("/workspace/too-big")
            do {
                try await bed.runtime.writeFile(sessionID: id, path: path, contents: [UInt8](repeating: 7, count: 40 << 20), mode: nil)
                Issue.record("40 MiB fit on a 32 MiB disk")
            } catch let error as PaddockError {
                #expect(error.code == .tooLarge)
            }
            let listing = try await bed.runtime.listDirectory(sessionID: id, path: SessionPath("/workspace"))
            #expect(listing.isEmpty, "left behind: \(listing.map(\.name))")
            #expect(try await bed.shell(id, "echo fits > /workspace/small && cat /workspace/small").text == "fits\n")
        }
    }
}
