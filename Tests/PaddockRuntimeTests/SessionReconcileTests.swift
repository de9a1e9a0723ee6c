import Foundation
import PaddockAgentProtocol
import PaddockCore
import Testing
@testable import PaddockRuntime

/// A restarted server (a second runtime on the same data directory) adopts the sessions it
/// is told are live and removes everything else.
@Suite("sessions: reconcile after a restart", .enabled(if: SessionTestBed.canRunSessions))
struct SessionReconcileTests {
    @Test("live sessions are adopted and serve execs; a leftover session is removed entirely")
    func adoptAndRemove() async throws {
        try await withSessionTestBed { bed in
            let first = try await bed.provision(environment: ["ADOPTED": "yes"])
            let second = try await bed.provision()
            let leftover = try await bed.provision()

            let restarted = try bed.makeRuntime()
            let gone = SessionTestBed.sessionID()
            let report = await restarted.reconcile(live: [first, second, gone])
            #expect(report.adopted == [first, second])
            #expect(report.lost == [gone])
            #expect(report.removed.contains("container \(leftover)"))
            #expect(report.removed.contains("mount \(bed.sessionDirectory(leftover))/rootfs"))
            #expect(report.removed.contains("mount \(bed.sessionDirectory(leftover))/disk"))
            #expect(report.removed.contains("directory \(bed.sessionDirectory(leftover))"))
            try await bed.expectNothingLeft(of: leftover)

            for id in [first, second] {
                #expect(await restarted.isAlive(sessionID: id))
                #expect(try await bed.run(id, ["hostname"], on: restarted).text == id + "\n")
            }
            #expect(try await bed.shell(first, "echo $ADOPTED", on: restarted).text == "yes\n")
            let note = try SessionPath("/workspace/note")
            try await restarted.writeFile(sessionID: second, path: note, contents: Array("kept".utf8), mode: nil)
            #expect(try await restarted.readFile(sessionID: second, path: note, limit: 10) == Array("kept".utf8))

            // The old runtime's view is stale; the restarted one ends the sessions for good.
            for id in [first, second] {
                await restarted.terminate(sessionID: id)
                try await bed.expectNothingLeft(of: id)
            }
            #expect(bed.mountsUnderData.isEmpty)
            #expect(try await bed.containerIDs().isEmpty)
        }
    }

    @Test("an adopted session's layers are pinned again in the restarted server's layer store")
    func adoptionPinsLayers() async throws {
        try await withSessionTestBed { bed in
            let packages = try PackageLists.validate(apt: ["paddock-marker"], pip: [], npm: [], param: "packages")
            try await bed.seedAptLayer(packages, marker: "layer\n")
            let id = try await bed.provision(packages: packages)
            let leftover = try await bed.provision(packages: packages)
            #expect(await bed.pins() == [2])

            let restartedLayers = try LayerStore(directory: bed.layers.directory)
            let restarted = try bed.makeRuntime(layers: restartedLayers)
            #expect(await bed.pins(restartedLayers) == [0])
            let report = await restarted.reconcile(live: [id])
            #expect(report.adopted == [id])
            #expect(await bed.pins(restartedLayers) == [1])
            #expect(try await bed.run(id, ["cat", "/usr/local/share/paddock/marker"], on: restarted).text == "layer\n")
            try await bed.expectNothingLeft(of: leftover)

            await restarted.terminate(sessionID: id)
            #expect(await bed.pins(restartedLayers) == [0])
            try await bed.expectNothingLeft(of: id)
        }
    }

    @Test("the network seam takes over each adopted session with the policy it was made with; one it cannot take over is lost and removed")
    func adoptionNeedsTheNetwork() async throws {
        let policy = NetworkingPolicy.allowlist(domains: [try HostPattern.parse("pypi.org", param: "d")])
        let kept = SessionTestBed.sessionID()
        let refused = SessionTestBed.sessionID()
        let networking = ScriptedNetworking(refusedAdoptions: [refused])
        try await withSessionTestBed(networking: networking) { bed in
            for id in [kept, refused] {
                var launch = bed.launch(id)
                launch.networking = policy
                _ = try await bed.runtime.provision(launch, observer: RecordingObserver())
            }
            let restarted = try bed.makeRuntime()
            let report = await restarted.reconcile(live: [kept, refused])
            #expect(report.adopted == [kept])
            #expect(report.lost == [refused])
            #expect(networking.adopted == [kept: policy])
            #expect(networking.detached.contains(refused))
            try await bed.expectNothingLeft(of: refused)
            #expect(try await bed.run(kept, ["true"], on: restarted).exit.exitCode == 0)
            await restarted.terminate(sessionID: kept)
        }
    }

    @Test("a live session whose container died is reported lost and cleaned up")
    func lostSession() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision()
            try await Runc(root: bed.dataDirectory + "/runc").kill(id: id, signal: SIGKILL)
            let restarted = try bed.makeRuntime()
            var report = ReconcileReport()
            // The kill is asynchronous: retry until runc no longer says running (bounded).
            for _ in 0..<50 {
                let state = try await Runc(root: bed.dataDirectory + "/runc").state(id: id)
                if state?.status != .running { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            report = await restarted.reconcile(live: [id])
            #expect(report.adopted.isEmpty)
            #expect(report.lost == [id])
            #expect(report.removed.contains("directory \(bed.sessionDirectory(id))"))
            try await bed.expectNothingLeft(of: id)
        }
    }
}
