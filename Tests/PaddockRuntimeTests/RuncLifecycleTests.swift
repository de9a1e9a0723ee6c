import Foundation
import PaddockCore
import Testing
@testable import PaddockRuntime

/// Real containers (root and runc required): create, start, state, kill, delete, list.
@Suite("runc: container lifecycle", .serialized, .enabled(if: RootfsFixture.canRunContainers))
struct RuncLifecycleTests {
    let fixture: RootfsFixture
    let runc: Runc

    init() throws {
        fixture = try RootfsFixture()
        runc = try fixture.runc()
    }

    /// Writes a bundle running `arguments` and creates a container from it.
    private func createContainer(_ arguments: [String], output: ContainerOutput = .discard) async throws -> String {
        let id = RootfsFixture.containerID()
        try BundleWriter().write(fixture.specification(arguments).makeSpec(), to: fixture.bundle)
        try await runc.create(id: id, bundle: fixture.bundle, output: output)
        return id
    }

    /// Polls until the container reaches `status` (bounded by attempts, not by time).
    private func waitFor(_ status: ContainerStatus, id: String) async throws -> ContainerState? {
        for _ in 0..<200 {
            let state = try await runc.state(id: id)
            if state?.status == status { return state }
            try await Task.sleep(for: .milliseconds(25))
        }
        return try await runc.state(id: id)
    }

    @Test("create, start, state, list, kill and delete a long-running container")
    func lifecycle() async throws {
        let id = try await createContainer(["sleep", "1000"])

        let createdState = try await runc.state(id: id)
        let created = try #require(createdState)
        #expect(created.status == .created)
        #expect(created.pid != nil)
        #expect(created.bundle == fixture.bundle)

        try await runc.start(id: id)
        let runningState = try await runc.state(id: id)
        let running = try #require(runningState)
        #expect(running.status == .running)
        #expect(running.pid == created.pid)
        #expect(try await runc.list().contains { $0.id == id && $0.status == .running })

        try await runc.kill(id: id, signal: SIGKILL)
        let stopped = try await waitFor(.stopped, id: id)
        #expect(stopped?.status == .stopped)
        #expect(stopped?.pid == nil)

        try await runc.delete(id: id, force: false)
        #expect(try await runc.state(id: id) == nil)
        #expect(try await runc.list().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: runc.root + "/" + id))
    }

    @Test("a detached container's output goes to the given file")
    func outputFile() async throws {
        let log = fixture.directory + "/init.log"
        let id = try await createContainer(["sh", "-c", "echo started; echo warned >&2; exec sleep 1000"], output: .file(log))
        try await runc.start(id: id)
        var text = ""
        for _ in 0..<200 where !text.contains("warned") {
            text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(text.contains("started\n"))
        #expect(text.contains("warned\n"))
        try await runc.delete(id: id, force: true)
        #expect(try await runc.state(id: id) == nil)
    }

    @Test("force-deleting a running container kills and removes it")
    func forceDelete() async throws {
        let id = try await createContainer(["sleep", "1000"])
        try await runc.start(id: id)
        await #expect(throws: PaddockError.self) { try await runc.delete(id: id, force: false) }
        try await runc.delete(id: id, force: true)
        #expect(try await runc.state(id: id) == nil)
        #expect(!FileManager.default.fileExists(atPath: runc.root + "/" + id))
    }

    @Test("a duplicate id and starting twice are conflicts")
    func conflicts() async throws {
        let id = try await createContainer(["sleep", "1000"])
        do {
            try await runc.create(id: id, bundle: fixture.bundle)
            Issue.record("a second create with the same id succeeded")
        } catch {
            #expect(error.code == .conflict)
        }
        try await runc.start(id: id)
        do {
            try await runc.start(id: id)
            Issue.record("starting a running container succeeded")
        } catch {
            #expect(error.code == .conflict)
        }
        try await runc.delete(id: id, force: true)
    }

    @Test("an unknown id has no state, and deleting or killing it is notFound")
    func unknown() async throws {
        #expect(try await runc.state(id: "paddock-test-missing") == nil)
        do {
            try await runc.delete(id: "paddock-test-missing", force: false)
            Issue.record("deleting an unknown container succeeded")
        } catch {
            #expect(error.code == .notFound)
        }
        do {
            try await runc.kill(id: "paddock-test-missing", signal: SIGTERM)
            Issue.record("killing an unknown container succeeded")
        } catch {
            #expect(error.code == .notFound)
        }
    }

    @Test("ids that could read as flags or paths are rejected before runc runs", arguments: [
        "", "-rf", "--root=/", ".", "..", "a/b", "a b", String(repeating: "x", count: 129),
    ])
    func invalidID(id: String) async throws {
        do {
            _ = try await runc.state(id: id)
            Issue.record("accepted \(id)")
        } catch {
            #expect(error.code == .invalidArgument)
        }
    }
}
