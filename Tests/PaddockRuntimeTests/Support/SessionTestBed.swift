import Foundation
import PaddockTestSupport
import Glibc
import PaddockAgentProtocol
import PaddockCore
import Synchronization
import Testing
@testable import PaddockRuntime

/// A ``LocalSessionRuntime`` on a fresh data directory, with the shared test base image, the
/// built paddock-init and a layer builder that refuses (these tests install no packages).
/// Made and torn down by ``withSessionTestBed(longDataPath:networking:_:)``.
final class SessionTestBed: Sendable {
    /// The temporary directory holding the data directory and the layer cache.
    let directory: String
    /// The data directory.
    let dataDirectory: String
    let layers: LayerStore
    let builder: RefusingLayerBuilder
    let runtime: LocalSessionRuntime
    let baseImages: BaseImageBuilder
    let networking: any SessionNetworking

    /// Where the base image is cached for every test run on this machine.
    static let imagesDirectory = URL(fileURLWithPath: "/var/cache/paddock-test/images")

    /// Whether sessions can run here: root, runc, and a built paddock-init.
    static var canRunSessions: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/runc") && initBinary != nil
    }

    /// The built `paddock-init`, next to the test bundle (or up to two directories up).
    static let initBinary = BuiltProducts.path(of: "paddock-init")

    /// A data directory path long enough that `<data>/sessions/<id>/run/agent.sock` does not
    /// fit in a socket address (108 bytes).
    static let longSuffix = "/" + Array(repeating: "a-deliberately-long-directory-name", count: 3).joined(separator: "/")

    init(longDataPath: Bool, networking: any SessionNetworking) throws {
        let binary = try #require(Self.initBinary, "paddock-init was not built next to the tests; run swift build first")
        directory = (NSTemporaryDirectory() as NSString).appendingPathComponent("paddock-sessions-\(ImageFiles.token())")
        dataDirectory = directory + (longDataPath ? Self.longSuffix : "") + "/data"
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        layers = try LayerStore(directory: URL(fileURLWithPath: directory + "/layers"))
        builder = RefusingLayerBuilder()
        baseImages = try BaseImageBuilder(imagesDirectory: Self.imagesDirectory, recipe: BaseRecipe.load())
        self.networking = networking
        runtime = try Self.makeRuntime(dataDirectory: dataDirectory, baseImages: baseImages, layers: layers,
                                       builder: builder, initBinary: binary, networking: networking)
    }

    /// A runtime on this bed's data directory (a second one stands for a restarted server,
    /// which would also open its own `layers` store on the same directory).
    func makeRuntime(layers: LayerStore? = nil) throws -> LocalSessionRuntime {
        try Self.makeRuntime(dataDirectory: dataDirectory, baseImages: baseImages, layers: layers ?? self.layers,
                             builder: builder, initBinary: try #require(Self.initBinary), networking: networking)
    }

    /// Puts a layer into the cache under the key of the apt layer of `packages` (as if an
    /// earlier session had built it), holding `marker` in /usr/local/share/paddock/marker.
    func seedAptLayer(_ packages: PackageLists, marker: String) async throws {
        let base = try await baseImages.ensure()
        let step = try #require(LayerPlan.plan(base: base.key, packages: packages, setupScript: nil, mirrors: .standard).first)
        _ = try await layers.ensure(step.key) { directory in
            let folder = directory.rootfs.appendingPathComponent("usr/local/share/paddock")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(marker.utf8).write(to: folder.appendingPathComponent("marker"))
        }
    }

    /// How many live sessions pin each layer of `store` (this bed's by default).
    func pins(_ store: LayerStore? = nil) async -> [Int] {
        await (store ?? layers).list().map(\.inUse)
    }

    private static func makeRuntime(dataDirectory: String, baseImages: BaseImageBuilder, layers: LayerStore,
                                    builder: RefusingLayerBuilder, initBinary: String,
                                    networking: any SessionNetworking) throws -> LocalSessionRuntime {
        try LocalSessionRuntime(dataDirectory: URL(fileURLWithPath: dataDirectory), baseImages: baseImages, layers: layers,
                                layerBuilder: builder, initBinary: initBinary, networking: networking,
                                diagnostics: { print("runtime: \($0)") })
    }

    /// A new session id.
    static func sessionID() -> String { IdentifierGenerator.shared.make(.session) }

    /// A launch of the base image alone.
    func launch(_ id: String = SessionTestBed.sessionID(), memoryMB: Int = 512, pids: Int = 256, diskMB: Int = 256,
                packages: PackageLists = PackageLists(), environment: [String: String] = [:]) -> SessionLaunch {
        SessionLaunch(sessionID: id, packages: packages, setupScript: nil, networking: .unrestricted,
                      resources: SessionResources(cpus: 1, memoryMB: memoryMB, pids: pids, diskMB: diskMB),
                      environment: environment)
    }

    /// Provisions a session of the base image and returns its id.
    @discardableResult
    func provision(memoryMB: Int = 512, pids: Int = 256, diskMB: Int = 256, packages: PackageLists = PackageLists(),
                   environment: [String: String] = [:], on runtime: LocalSessionRuntime? = nil) async throws -> String {
        let launch = launch(memoryMB: memoryMB, pids: pids, diskMB: diskMB, packages: packages, environment: environment)
        _ = try await (runtime ?? self.runtime).provision(launch, observer: RecordingObserver())
        return launch.sessionID
    }

    /// Runs `argv` in the session and collects its output.
    func run(_ id: String, _ argv: [String], cwd: String? = nil, stdin: [UInt8] = [], timeoutMs: Int? = nil,
             maxOutputBytes: Int = AgentProtocol.defaultMaxOutputBytes,
             on runtime: LocalSessionRuntime? = nil) async throws -> ExecOutput {
        let request = try ExecRequest(argv: argv, cwd: cwd, timeoutMs: timeoutMs,
                                      maxStdoutBytes: maxOutputBytes, maxStderrBytes: maxOutputBytes)
        let collected = Mutex(ExecOutput())
        let exit = try await (runtime ?? self.runtime).exec(sessionID: id, request: request, stdin: stdin) { event in
            collected.withLock { output in
                switch event {
                case .stdout(let bytes): output.stdout += bytes
                case .stderr(let bytes): output.stderr += bytes
                case .started, .exit: break
                }
            }
        }
        var output = collected.withLock { $0 }
        output.exit = exit
        return output
    }

    /// Runs a bash script in the session.
    func shell(_ id: String, _ script: String, timeoutMs: Int? = nil, on runtime: LocalSessionRuntime? = nil) async throws -> ExecOutput {
        try await run(id, ["bash", "-c", script], timeoutMs: timeoutMs, on: runtime)
    }

    /// Mount points at or below the data directory.
    var mountsUnderData: [String] { Mounts.mountPoints(under: dataDirectory) }

    /// The ids of the containers in the default runtime's state directory.
    func containerIDs() async throws -> [String] {
        try await Runc(root: dataDirectory + "/runc").list().map(\.id)
    }

    /// `<data>/sessions/<id>`.
    func sessionDirectory(_ id: String) -> String { "\(dataDirectory)/sessions/\(id)" }

    /// Checks that nothing of session `id` is left: container, mounts, directory, cgroups.
    func expectNothingLeft(of id: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await !containerIDs().contains(id), "container \(id) is still there", sourceLocation: sourceLocation)
        #expect(Mounts.mountPoints(under: sessionDirectory(id)).isEmpty, sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: sessionDirectory(id)), sourceLocation: sourceLocation)
        #expect(SessionCgroups.directories(for: id).isEmpty, "cgroups of \(id) are left", sourceLocation: sourceLocation)
    }

    /// Terminates every session, removes what any runtime left in the data directory and
    /// deletes the directory.
    func tearDown() async {
        for id in await runtime.servedSessions { await runtime.terminate(sessionID: id) }
        if let cleaner = try? makeRuntime() { _ = await cleaner.reconcile(live: []) }
        Mounts.unmountAll(under: directory)
        _ = ImageFiles.removeQuietly(directory)
    }
}

/// Runs `body` with a fresh test bed and tears it down afterwards, also when `body` throws.
func withSessionTestBed(longDataPath: Bool = false, networking: any SessionNetworking = IsolatedNetworking(),
                        _ body: (SessionTestBed) async throws -> Void) async throws {
    let bed = try SessionTestBed(longDataPath: longDataPath, networking: networking)
    do {
        try await body(bed)
    } catch {
        await bed.tearDown()
        throw error
    }
    await bed.tearDown()
}

/// The output and exit of one exec.
struct ExecOutput: Sendable {
    var stdout: [UInt8] = []
    var stderr: [UInt8] = []
    var exit = ExecExit(exitCode: nil, signal: nil)
    /// stdout as text.
    var text: String { String(decoding: stdout, as: UTF8.self) }
    /// stderr as text.
    var errorText: String { String(decoding: stderr, as: UTF8.self) }
}

/// A layer builder for tests that install no packages: counts its calls and always fails.
final class RefusingLayerBuilder: LayerBuilding {
    private let count = Mutex(0)
    /// How often `build` was called.
    var calls: Int { count.withLock { $0 } }

    func build(_ step: LayerStep, lower: [URL], into directory: LayerBuildDirectory,
               log: @escaping @Sendable (String) -> Void) async throws {
        count.withLock { $0 += 1 }
        log("refusing to build the \(step.name) layer")
        throw LayerBuildError(step: step.name, message: "this test builds no \(step.name) layer")
    }
}

/// Records provisioning progress.
final class RecordingObserver: ProvisioningObserver {
    private let state = Mutex((steps: [ProvisioningStep](), lines: [String]()))
    var steps: [ProvisioningStep] { state.withLock { $0.steps } }
    var lines: [String] { state.withLock { $0.lines } }

    func step(_ step: ProvisioningStep) { state.withLock { $0.steps.append(step) } }
    func log(_ line: String) { state.withLock { $0.lines.append(line) } }
}
