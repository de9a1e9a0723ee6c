import Foundation
import PaddockCore
import Synchronization
import Testing
@testable import PaddockRuntime

/// Collects streamed output lines.
private final class OutputLines: Sendable {
    private let lines = Mutex<[ContainerOutputLine]>([])

    var sink: @Sendable (ContainerOutputLine) -> Void { { [self] line in lines.withLock { $0.append(line) } } }

    func texts(_ stream: ContainerOutputStream) -> [String] {
        lines.withLock { $0.filter { $0.stream == stream }.map(\.text) }
    }
}

/// A runtime that can only run to completion: exercises the protocol's fallback `run(onOutput:)`.
private struct NonStreamingRuntime: ContainerRuntime {
    let runc: Runc
    func create(id: String, bundle: String, output: ContainerOutput) async throws(PaddockError) {
        try await runc.create(id: id, bundle: bundle, output: output)
    }
    func start(id: String) async throws(PaddockError) { try await runc.start(id: id) }
    func state(id: String) async throws(PaddockError) -> ContainerState? { try await runc.state(id: id) }
    func kill(id: String, signal: Int32) async throws(PaddockError) { try await runc.kill(id: id, signal: signal) }
    func delete(id: String, force: Bool) async throws(PaddockError) { try await runc.delete(id: id, force: force) }
    func list() async throws(PaddockError) -> [ContainerState] { try await runc.list() }
    func run(id: String, bundle: String) async throws(PaddockError) -> ContainerRunResult {
        try await runc.run(id: id, bundle: bundle)
    }
}

/// The streaming foreground run that build containers use (root and runc required).
@Suite("runc: streamed foreground runs", .serialized, .enabled(if: RootfsFixture.canRunContainers))
struct LayerBuildStreamingTests {
    static let script = "echo one; echo warn >&2; printf 'two\\r\\nthree'; exit 3"

    @Test("lines of stdout and stderr arrive as written; the exit code is returned")
    func streamsLines() async throws {
        let fixture = try RootfsFixture()
        try BundleWriter().write(fixture.specification(["sh", "-c", Self.script]).makeSpec(), to: fixture.bundle)
        let output = OutputLines()
        let status = try await fixture.runc().run(id: RootfsFixture.containerID(), bundle: fixture.bundle, onOutput: output.sink)
        #expect(status == 3)
        #expect(output.texts(.stdout) == ["one", "two", "three"])
        #expect(output.texts(.stderr) == ["warn"])
        #expect(try await fixture.runc().list().isEmpty)
    }

    @Test("a runtime that cannot stream delivers the same lines after the run")
    func fallback() async throws {
        let fixture = try RootfsFixture()
        try BundleWriter().write(fixture.specification(["sh", "-c", Self.script]).makeSpec(), to: fixture.bundle)
        let output = OutputLines()
        let runtime = NonStreamingRuntime(runc: try fixture.runc())
        let status = try await runtime.run(id: RootfsFixture.containerID(), bundle: fixture.bundle, onOutput: output.sink)
        #expect(status == 3)
        #expect(output.texts(.stdout) == ["one", "two", "three"])
        #expect(output.texts(.stderr) == ["warn"])
    }

    @Test("a line longer than the limit is delivered in pieces")
    func longLines() {
        var splitter = OutputLineSplitter(stream: .stdout)
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: ContainerOutputLine.maxBytes + 10)
        let lines = splitter.append(long + Array("\nend".utf8))
        #expect(lines.map(\.text.count) == [ContainerOutputLine.maxBytes, 10])
        #expect(splitter.finish()?.text == "end")
        #expect(splitter.finish() == nil)
    }
}
