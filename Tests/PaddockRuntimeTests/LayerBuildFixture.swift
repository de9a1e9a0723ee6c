import Foundation
import Synchronization
import Testing
@testable import PaddockRuntime

/// Lines a build logged, kept for assertions.
final class LayerBuildLog: Sendable {
    private let lines = Mutex<[String]>([])

    /// Appends one line (the builder's `log` closure).
    var sink: @Sendable (String) -> Void { { [self] line in lines.withLock { $0.append(line) } } }

    /// Everything logged so far, one line each.
    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}

/// What the real layer-build tests share: the cached base image, a fresh layer store in a temp
/// directory, a ``RuncLayerBuilder`` with its own runc root there, and a way to run a command in a
/// session-like container over built layers.
struct LayerBuildFixture {
    /// The base image cache shared by every test run on this machine.
    static let imagesDirectory = URL(fileURLWithPath: "/var/cache/paddock-test/images")

    let directory: ImageTestDirectory
    let base: BaseImage
    let store: LayerStore
    let runc: Runc
    let builder: RuncLayerBuilder
    let builds = LayerBuildCounter()
    let log = LayerBuildLog()

    /// Checks the prerequisites (root, runc), ensures the base image and opens an empty store.
    init() async throws {
        try #require(geteuid() == 0, "layer builds need root; run the tests as root")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/sbin/runc"), "runc is not installed")
        base = try await BaseImageBuilder(imagesDirectory: Self.imagesDirectory, recipe: BaseRecipe.load()).ensure()
        directory = try ImageTestDirectory("layer-build")
        store = try LayerStore(directory: directory.url.appendingPathComponent("layers"))
        runc = try Runc(root: directory.path + "/runc")
        builder = try RuncLayerBuilder(runtime: runc)
    }

    /// Unmounts anything a failed test left and removes the directory.
    func remove() {
        Mounts.unmountAll(under: directory.path)
        directory.remove()
    }

    /// Resolves `steps` in order through the store, building with the real builder (counted);
    /// returns the layers bottom first.
    func ensure(_ steps: [LayerStep], builder: (any LayerBuilding)? = nil) async throws -> [Layer] {
        let builder = builder ?? self.builder
        var layers: [Layer] = []
        for step in steps {
            let lower = layers.reversed().map(\.path) + [base.path]
            let counter = builds
            let sink = log.sink
            layers.append(try await store.ensure(step.key) { directory in
                counter.increment()
                try await builder.build(step, lower: lower, into: directory, log: sink)
            })
        }
        return layers
    }

    /// Runs `argv` in a hardened container (own network namespace, no host mounts) whose root is
    /// `layers` (bottom first) over the base image with a throwaway upper dir.
    func run(_ argv: [String], over layers: [Layer]) async throws -> ContainerRunResult {
        let token = ImageFiles.token()
        let check = "\(directory.path)/check-\(token)"
        for name in ["upper", "work", "merged"] {
            try FileManager.default.createDirectory(atPath: "\(check)/\(name)", withIntermediateDirectories: true)
        }
        try Mounts.mountOverlay(at: "\(check)/merged", lower: layers.reversed().map(\.path.path) + [base.path.path],
                                upper: "\(check)/upper", work: "\(check)/work")
        defer { Mounts.unmountAll(under: check) }
        let specification = try SessionSpecification(
            rootfs: "\(check)/merged", hostname: "layer-check", arguments: argv, workingDirectory: "/",
            resources: ResourceLimits(cpus: 1, memoryMB: 512, pids: 256),
            openFilesLimit: HostLimits.attainableOpenFiles(SessionHardening.openFilesLimit))
        try BundleWriter().write(specification.makeSpec(), to: "\(check)/bundle")
        return try await runc.run(id: "layer-check-\(token)", bundle: "\(check)/bundle")
    }

    /// The mount points left below the fixture's directory.
    var leftoverMounts: [String] { Mounts.mountPoints(under: directory.path) }

    /// A fresh build directory in the fixture (for calling the builder without the store).
    func buildDirectory() throws -> LayerBuildDirectory {
        let root = "\(directory.path)/direct-\(ImageFiles.token())"
        try ImageFiles.makeDirectory("\(root)/rootfs")
        try ImageFiles.makeDirectory("\(root)/scratch")
        return LayerBuildDirectory(rootfs: URL(fileURLWithPath: "\(root)/rootfs", isDirectory: true),
                                   scratch: URL(fileURLWithPath: "\(root)/scratch", isDirectory: true))
    }
}
