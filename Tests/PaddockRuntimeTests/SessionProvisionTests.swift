import Foundation
import PaddockAgentProtocol
import PaddockCore
import Synchronization
import Testing
@testable import PaddockRuntime

/// Real sessions from the base image (root, runc, the built paddock-init and the cached base
/// image): provisioning, the container's identity and environment, termination, rollback.
@Suite("sessions: provision and terminate", .enabled(if: SessionTestBed.canRunSessions))
struct SessionProvisionTests {
    @Test("provisioning reports base and container; exec runs in /workspace under the session's hostname")
    func provisionAndExec() async throws {
        try await withSessionTestBed { bed in
            let observer = RecordingObserver()
            let launch = bed.launch(environment: ["PADDOCK_TEST_VARIABLE": "from the launch"])
            let session = try await bed.runtime.provision(launch, observer: observer)

            #expect(session.sessionID == launch.sessionID)
            #expect(session.steps.map(\.name) == ["base", "container"])
            #expect([.cached, .built].contains(session.steps[0].status))
            #expect(session.steps[1].status == .built)
            #expect(observer.steps.map(\.status) == [.running, session.steps[0].status, .running, .built])
            #expect(bed.builder.calls == 0)
            #expect(await bed.runtime.isAlive(sessionID: launch.sessionID))

            let hello = try await bed.run(launch.sessionID, ["echo", "hi"])
            #expect(hello.text == "hi\n")
            #expect(hello.exit.exitCode == 0)
            #expect(try await bed.run(launch.sessionID, ["hostname"]).text == launch.sessionID + "\n")
            #expect(try await bed.run(launch.sessionID, ["pwd"]).text == "/workspace\n")

            let environment = try await bed.run(launch.sessionID, ["env"]).text.split(separator: "\n").map(String.init)
            for name in ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_CERT", "NODE_EXTRA_CA_CERTS", "GIT_SSL_CAINFO"] {
                #expect(environment.contains("\(name)=/etc/ssl/certs/ca-certificates.crt"), "\(name) is not set")
            }
            #expect(environment.contains("PIP_BREAK_SYSTEM_PACKAGES=1"), "pip install must work for the system python3")
            #expect(environment.contains("PADDOCK_TEST_VARIABLE=from the launch"))
            #expect(environment.contains("HOME=/root"))

            let files = try await bed.shell(launch.sessionID, "cat /etc/hostname /etc/hosts /etc/resolv.conf; test -s /etc/ssl/certs/ca-certificates.crt && echo ca-present")
            #expect(files.text.hasPrefix(launch.sessionID + "\n"))
            #expect(files.text.contains("127.0.0.1\tlocalhost"))
            #expect(files.text.contains("\t\(launch.sessionID)\n"))
            #expect(!files.text.split(separator: "\n").contains { $0.hasPrefix("nameserver") })
            #expect(files.text.contains("ca-present"))
        }
    }

    @Test("a cached layer is stacked above the base without a build and pinned while the session lives")
    func cachedLayer() async throws {
        try await withSessionTestBed { bed in
            let packages = try PackageLists.validate(apt: ["paddock-marker"], pip: [], npm: [], param: "packages")
            try await bed.seedAptLayer(packages, marker: "from the layer\n")
            let launch = bed.launch(packages: packages)
            let session = try await bed.runtime.provision(launch, observer: RecordingObserver())
            #expect(session.steps.map(\.name) == ["base", "apt", "container"])
            #expect(session.steps[1] == ProvisioningStep(name: "apt", status: .cached, durationMs: 0))
            #expect(bed.builder.calls == 0)
            #expect(await bed.pins() == [1])

            let marker = try await bed.run(launch.sessionID, ["cat", "/usr/local/share/paddock/marker"])
            #expect(marker.text == "from the layer\n")
            // Writes land in the session's upper directory, never in the shared layer.
            #expect(try await bed.shell(launch.sessionID, "echo changed > /usr/local/share/paddock/marker").exit.exitCode == 0)
            let layer = try #require(await bed.layers.list().first)
            #expect(FileManager.default.contents(atPath: layer.path.path + "/usr/local/share/paddock/marker") == Data("from the layer\n".utf8))

            await bed.runtime.terminate(sessionID: launch.sessionID)
            #expect(await bed.pins() == [0])
            try await bed.expectNothingLeft(of: launch.sessionID)
        }
    }

    @Test("an exec's own variables replace the session's; stdin reaches the command")
    func requestEnvironmentAndStdin() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision(environment: ["GREETING": "session"])
            let request = try ExecRequest(argv: ["bash", "-c", "echo $GREETING; cat"], env: [("GREETING", "request")])
            let output = Mutex([UInt8]())
            let exit = try await bed.runtime.exec(sessionID: id, request: request, stdin: Array("piped in".utf8)) { event in
                if case .stdout(let bytes) = event { output.withLock { $0 += bytes } }
            }
            #expect(exit.exitCode == 0)
            #expect(String(decoding: output.withLock { $0 }, as: UTF8.self) == "request\npiped in")
        }
    }

    @Test("terminate leaves no container, mount, directory or cgroup, and is idempotent")
    func terminateLeavesNothing() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision()
            #expect(try await bed.containerIDs() == [id])
            #expect(bed.mountsUnderData.count == 3)  // disk, run and rootfs
            #expect(!SessionCgroups.directories(for: id).isEmpty)

            await bed.runtime.terminate(sessionID: id)
            try await bed.expectNothingLeft(of: id)
            #expect(bed.mountsUnderData.isEmpty)
            #expect(await !bed.runtime.isAlive(sessionID: id))
            await #expect(throws: PaddockError(.notFound, "no running session \(id) in this runtime")) {
                try await bed.run(id, ["true"])
            }
            await bed.runtime.terminate(sessionID: id)
            await bed.runtime.terminate(sessionID: "../../etc")
        }
    }

    @Test("a data directory too long for a socket address still reaches the agent")
    func longDataDirectory() async throws {
        try await withSessionTestBed(longDataPath: true) { bed in
            let id = try await bed.provision()
            let socket = "\(bed.sessionDirectory(id))/run/\(SessionLayout.socketName)"
            #expect(socket.utf8.count > 108)
            #expect(FileManager.default.fileExists(atPath: socket))
            #expect(try await bed.run(id, ["echo", "far away"]).text == "far away\n")
            await bed.runtime.terminate(sessionID: id)
            try await bed.expectNothingLeft(of: id)
        }
    }

    @Test("a session id in use, an unusable id and a zero disk are refused before anything is made")
    func refusals() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision()
            await #expect(throws: PaddockError(.conflict, "session \(id) exists already")) {
                try await bed.runtime.provision(bed.launch(id), observer: RecordingObserver())
            }
            await #expect(throws: PaddockError.self) {
                try await bed.runtime.provision(bed.launch("../escape"), observer: RecordingObserver())
            }
            await #expect(throws: PaddockError.invalid("resources.disk_mb", "must be between 1 and 16777216")) {
                try await bed.runtime.provision(bed.launch(diskMB: 0), observer: RecordingObserver())
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: bed.dataDirectory + "/sessions") == [id])
        }
    }

    @Test("a failed layer build fails its step and rolls everything back")
    func layerFailureRollsBack() async throws {
        try await withSessionTestBed { bed in
            let packages = try PackageLists.validate(apt: ["cowsay"], pip: [], npm: [], param: "packages")
            let launch = bed.launch(packages: packages)
            let observer = RecordingObserver()
            do {
                _ = try await bed.runtime.provision(launch, observer: observer)
                Issue.record("provisioning succeeded without a layer builder")
            } catch let failure as ProvisioningFailure {
                #expect(failure.step == "apt")
                #expect(failure.message == "this test builds no apt layer")
                #expect(failure.steps.map(\.name) == ["base", "apt"])
                #expect(failure.steps.last?.status == .failed)
            }
            #expect(bed.builder.calls == 1)
            #expect(observer.lines.contains("refusing to build the apt layer"))
            try await bed.expectNothingLeft(of: launch.sessionID)
            #expect(await bed.layers.list().isEmpty)
        }
    }

    @Test("a failure in the container step removes mounts, directories and the network again")
    func containerFailureRollsBack() async throws {
        let networking = ScriptedNetworking(failAttach: true)
        try await withSessionTestBed(networking: networking) { bed in
            let launch = bed.launch()
            do {
                _ = try await bed.runtime.provision(launch, observer: RecordingObserver())
                Issue.record("provisioning succeeded although the network failed")
            } catch let failure as ProvisioningFailure {
                #expect(failure.step == "container")
                #expect(failure.message == "no network today")
                #expect(failure.steps.map(\.status) == [failure.steps[0].status, .failed])
            }
            try await bed.expectNothingLeft(of: launch.sessionID)
            #expect(bed.mountsUnderData.isEmpty)
            #expect(networking.detached == [launch.sessionID])
        }
    }

    @Test("cancelling provisioning, or terminating the session meanwhile, rolls it back")
    func cancellationRollsBack() async throws {
        let networking = ScriptedNetworking(holdAttach: true)
        try await withSessionTestBed(networking: networking) { bed in
            let cancelled = bed.launch()
            let task = Task { try await bed.runtime.provision(cancelled, observer: RecordingObserver()) }
            try await networking.waitForAttach(count: 1)
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            try await bed.expectNothingLeft(of: cancelled.sessionID)

            let terminated = bed.launch()
            let second = Task { try await bed.runtime.provision(terminated, observer: RecordingObserver()) }
            try await networking.waitForAttach(count: 2)
            await bed.runtime.terminate(sessionID: terminated.sessionID)
            await #expect(throws: CancellationError.self) { try await second.value }
            try await bed.expectNothingLeft(of: terminated.sessionID)
            #expect(bed.mountsUnderData.isEmpty)
        }
    }
}

/// A network seam that fails or holds `attach` on request, refuses to adopt the sessions in
/// `refusedAdoptions`, and records `detach` and `adopt`.
final class ScriptedNetworking: SessionNetworking {
    private let failAttach: Bool
    private let holdAttach: Bool
    private let refusedAdoptions: Set<String>
    private let state = Mutex((attached: 0, detached: [String](), adopted: [String: NetworkingPolicy]()))

    init(failAttach: Bool = false, holdAttach: Bool = false, refusedAdoptions: Set<String> = []) {
        self.failAttach = failAttach
        self.holdAttach = holdAttach
        self.refusedAdoptions = refusedAdoptions
    }

    var detached: [String] { state.withLock { $0.detached } }
    var adopted: [String: NetworkingPolicy] { state.withLock { $0.adopted } }

    func adopt(sessionID: String, policy: NetworkingPolicy) async throws(PaddockError) {
        if refusedAdoptions.contains(sessionID) { throw PaddockError(.notFound, "the network of \(sessionID) is gone") }
        state.withLock { $0.adopted[sessionID] = policy }
    }

    func attach(sessionID: String, policy: NetworkingPolicy) async throws(PaddockError) -> SessionNetworkAttachment {
        state.withLock { $0.attached += 1 }
        if failAttach { throw PaddockError(.internal, "no network today") }
        if holdAttach {
            // Returns once the provisioning task is cancelled (the sleep ends early).
            try? await Task.sleep(for: .seconds(600))
        }
        return SessionNetworkAttachment(namespace: .fresh, resolvConf: IsolatedNetworking.resolvConf)
    }

    func detach(sessionID: String) async {
        state.withLock { $0.detached.append(sessionID) }
    }

    func removeLeftovers(keeping: Set<String>) async -> [String] { [] }

    /// Waits until `attach` was entered `count` times.
    func waitForAttach(count: Int) async throws {
        while state.withLock({ $0.attached }) < count { try await Task.sleep(for: .milliseconds(5)) }
    }
}
