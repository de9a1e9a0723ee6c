import Foundation
import PaddockTestSupport
import PaddockCore
import Testing
@testable import PaddockRuntime

/// Real layer builds: runc build containers over the real base image, real apt, pip and npm.
/// They need root, runc, the base image (built on first use) and the network (Debian's mirror and
/// PyPI; npm only talks to a registry on 127.0.0.1). When one is missing they fail and say which.
@Suite("Layer builds (root, runc, network)", .serialized)
struct LayerBuildTests {
    static let packagesParam = "config.packages"

    /// pip installs `tomli-w`, which the base image lacks (unlike `six`, which Debian's
    /// `python3-six` provides there), written as `Tomli_W` so the pin check must normalise.
    @Test("apt, pip and setup layers build in containers and stack into a root filesystem that has them")
    func aptPipAndSetup() async throws {
        let fixture = try await LayerBuildFixture()
        defer { fixture.remove() }
        let packages = try PackageLists.validate(apt: ["jq"], pip: ["Tomli_W==1.0.0"], npm: [], param: Self.packagesParam)
        let script = "set -u\necho \"setup ran as $(id -un)\" > /opt/setup-marker\npython3 -c 'import tomli_w'\n"
        let steps = LayerPlan.plan(base: fixture.base.key, packages: packages, setupScript: script, mirrors: .standard)
        #expect(steps.map(\.kind) == [.apt, .pip, .setup])
        #expect(!FileManager.default.fileExists(atPath: fixture.base.path.path + "/usr/bin/jq"))

        let layers = try await fixture.ensure(steps)
        #expect(fixture.builds.value == 3)
        #expect(fixture.leftoverMounts.isEmpty, "mounts left: \(fixture.leftoverMounts)")

        let jq = try await fixture.run(["jq", "--version"], over: layers)
        #expect(jq.exitCode == 0, "jq: \(jq.stderrText)")
        #expect(jq.stdoutText.hasPrefix("jq-1."))
        let tomli = try await fixture.run(
            ["python3", "-c", "import tomli_w, importlib.metadata as m; print(m.version('tomli-w'), tomli_w.dumps({'a': 1}), end='')"],
            over: layers)
        #expect(tomli.exitCode == 0, "python3: \(tomli.stderrText)")
        #expect(tomli.stdoutText == "1.0.0 a = 1\n")
        let marker = try await fixture.run(["cat", "/opt/setup-marker"], over: layers)
        #expect(marker.stdoutText == "setup ran as root\n")

        // Each layer holds its own work only; the apt indexes and the setup script stayed out.
        #expect(FileManager.default.fileExists(atPath: layers[0].path.path + "/usr/bin/jq"))
        #expect(!FileManager.default.fileExists(atPath: layers[1].path.path + "/usr/bin/jq"))
        #expect(FileManager.default.fileExists(atPath: layers[1].path.path + "/usr/local/lib/python3.11/dist-packages/tomli_w"))
        let lists = layers[0].path.path + "/var/lib/apt/lists"
        #expect(ImageFiles.names(in: lists).allSatisfy { $0 == "lock" || ImageFiles.isDirectory("\(lists)/\($0)") },
                "package indexes left in the apt layer: \(ImageFiles.names(in: lists))")
        #expect(!FileManager.default.fileExists(atPath: layers[0].path.path + "/var/cache/apt/pkgcache.bin"))
        #expect(!FileManager.default.fileExists(atPath: layers[2].path.path + "/paddock"))

        let log = fixture.log.text
        #expect(log.contains("+ apt-get install -y --no-install-recommends -- jq"))
        #expect(log.contains("Setting up jq"), "apt's output should be streamed to the log")
        #expect(log.lowercased().contains("successfully installed tomli"), "pip's output should be streamed to the log")
        #expect(log.contains("# verifying pinned versions: tomli-w 1.0.0"))
    }

    @Test("a second ensure of built keys does not run the builder, in this store or a new one")
    func cacheHit() async throws {
        let fixture = try await LayerBuildFixture()
        defer { fixture.remove() }
        let steps = LayerPlan.plan(base: fixture.base.key, packages: PackageLists(),
                                   setupScript: "echo cached > /opt/cached\n", mirrors: .standard)
        let first = try await fixture.ensure(steps)
        #expect(fixture.builds.value == 1)

        let again = try await fixture.ensure(steps)
        #expect(again == first)
        let reopened = try LayerStore(directory: fixture.store.directory)
        let counter = LayerBuildCounter()
        let builder = fixture.builder
        let base = fixture.base.path
        let found = try await reopened.ensure(steps[0].key) { directory in
            counter.increment()
            try await builder.build(steps[0], lower: [base], into: directory, log: { _ in })
        }
        #expect(found == first[0])
        #expect(fixture.builds.value == 1)
        #expect(counter.value == 0)
    }

    @Test("a layer keeps its whiteouts and content but not the build's stubs, /tmp or apt caches")
    func leftovers() async throws {
        let fixture = try await LayerBuildFixture()
        defer { fixture.remove() }
        let script = """
            set -e
            echo junk > /tmp/junk
            mkdir -p /root/.cache/models && echo weights > /root/.cache/models/m
            rm /root/.profile
            echo kept > /opt/kept
            test -s /etc/resolv.conf
            """
        let steps = LayerPlan.plan(base: fixture.base.key, packages: PackageLists(), setupScript: script, mirrors: .standard)
        let built = try #require(try await fixture.ensure(steps).first)
        let layer = built.path.path

        var st = stat()
        #expect(lstat(layer + "/root/.profile", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR && st.st_rdev == 0,
                "the deletion of /root/.profile must stay a whiteout")
        #expect(BuildLeftovers.isWhiteout(layer + "/root/.profile"))
        #expect(try String(contentsOfFile: layer + "/opt/kept", encoding: .utf8) == "kept\n")
        #expect(FileManager.default.fileExists(atPath: layer + "/root/.cache/models/m"), "a setup script's caches stay")
        #expect(ImageFiles.names(in: layer + "/tmp").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: layer + "/paddock"))
        var etc: [String] = []
        if ImageFiles.isDirectory(layer + "/etc") { etc = ImageFiles.names(in: layer + "/etc") }
        #expect(!etc.contains("resolv.conf"))
        var root = stat()
        var baseRoot = stat()
        #expect(stat(layer, &root) == 0 && stat(fixture.base.path.path, &baseRoot) == 0)
        #expect(root.st_mode == baseRoot.st_mode && root.st_uid == baseRoot.st_uid)

        let profile = try await fixture.run(["test", "-e", "/root/.profile"], over: [built])
        #expect(profile.exitCode == 1, "/root/.profile must be gone in the stacked root")
    }

    @Test("a pip requirement that cannot be met fails the build with pip's error; nothing is published or mounted")
    func pipFailure() async throws {
        let fixture = try await LayerBuildFixture()
        defer { fixture.remove() }
        let packages = try PackageLists.validate(apt: [], pip: ["six==0.0.999"], npm: [], param: Self.packagesParam)
        let steps = LayerPlan.plan(base: fixture.base.key, packages: packages, setupScript: nil, mirrors: .standard)
        let step = try #require(steps.first)

        let error = await #expect(throws: LayerBuildError.self) { try await fixture.ensure(steps) }
        #expect(error?.step == "pip")
        let message = error?.message ?? ""
        #expect(message.contains("six==0.0.999"))
        #expect(message.contains("exited with status 1"))
        #expect(message.split(separator: "\n").contains { $0.hasPrefix("ERROR: ") }, "pip's error line is missing: \(message)")
        #expect(message.split(separator: "\n").count <= BuildOutputDigest.maxLines + 1)
        #expect(await fixture.store.lookup(step.key) == nil)
        #expect(fixture.leftoverMounts.isEmpty, "mounts left: \(fixture.leftoverMounts)")
        #expect(ImageFiles.names(in: fixture.store.directory.path).allSatisfy { $0.hasPrefix(".lock-") })
        #expect(try await fixture.runc.list().isEmpty)
    }

    @Test("a pin that the install did not honour fails the build naming the package and both versions")
    func pinMismatch() async throws {
        let fixture = try await LayerBuildFixture()
        defer { fixture.remove() }
        let step = LayerStep(
            kind: .pip, key: layerTestKey("pin-mismatch-\(ImageFiles.token())"), parentKey: fixture.base.key,
            commands: LayerPlan.pipCommands(["six==1.16.0"], index: MirrorSettings.defaultPypiIndex),
            environment: LayerPlan.pipEnvironment,
            pins: [PinnedPackage(name: "six", version: "1.15.0")])

        let error = await #expect(throws: LayerBuildError.self) { try await fixture.ensure([step]) }
        let message = error?.message ?? ""
        #expect(message.contains("six: wanted 1.15.0, found 1.16.0"), "\(message)")
        #expect(await fixture.store.lookup(step.key) == nil)
        #expect(fixture.leftoverMounts.isEmpty)
    }

    @Test("a pin of a package that is not installed at all is reported as missing")
    func pinMissing() async throws {
        let fixture = try await LayerBuildFixture()
        defer { fixture.remove() }
        let step = LayerStep(
            kind: .apt, key: layerTestKey("pin-missing-\(ImageFiles.token())"), parentKey: fixture.base.key,
            commands: [["true"]], pins: [PinnedPackage(name: "jq", version: "1.6-2.1"),
                                          PinnedPackage(name: "bash", version: "0.0-0")])

        let error = await #expect(throws: LayerBuildError.self) { try await fixture.ensure([step]) }
        let message = error?.message ?? ""
        #expect(message.contains("jq: wanted 1.6-2.1, but it is not installed"), "\(message)")
        #expect(message.contains("bash: wanted 0.0-0, found 5.2"), "\(message)")
    }

    @Test("global npm packages, plain and scoped, install from a local registry and work")
    func npmFromLocalRegistry() async throws {
        let fixture = try await LayerBuildFixture()
        defer { fixture.remove() }
        let registry = try await NpmRegistry(packages: NpmTestPackage.samples, directory: fixture.directory.path)
        defer { registry.stop() }

        let mirrors = try MirrorSettings(npmRegistry: registry.url)
        let packages = try PackageLists.validate(apt: [], pip: [], npm: ["left-pad@1.3.0", "@paddock-test/hello@1.0.0"],
                                                 param: Self.packagesParam)
        let steps = LayerPlan.plan(base: fixture.base.key, packages: packages, setupScript: nil, mirrors: mirrors)
        #expect(steps.map(\.kind) == [.npm])
        let layers = try await fixture.ensure(steps)
        #expect(registry.requests.contains("GET /@paddock-test%2fhello 200"), "requests: \(registry.requests)")

        let version = try await fixture.run(
            ["node", "-e", "console.log(require('/usr/local/lib/node_modules/left-pad/package.json').version)"], over: layers)
        #expect(version.stdoutText == "1.3.0\n", "\(version.stderrText)")
        let padded = try await fixture.run(
            ["node", "-e", "console.log(require('/usr/local/lib/node_modules/left-pad')('7', 3, '0'))"], over: layers)
        #expect(padded.stdoutText == "007\n", "\(padded.stderrText)")
        let hello = try await fixture.run(["paddock-hello"], over: layers)
        #expect(hello.stdoutText == "hello from paddock\n", "\(hello.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: layers[0].path.path + "/root/.npm"))
        #expect(fixture.log.text.contains("# verifying pinned versions: left-pad 1.3.0, @paddock-test/hello 1.0.0"))
    }

    @Test("cancelling a build kills its container and leaves no mount")
    func cancellation() async throws {
        let fixture = try await LayerBuildFixture()
        defer { fixture.remove() }
        let steps = LayerPlan.plan(base: fixture.base.key, packages: PackageLists(),
                                   setupScript: "echo started\nexec sleep 600\n", mirrors: .standard)
        let step = try #require(steps.first)
        let directory = try fixture.buildDirectory()
        let builder = fixture.builder
        let base = fixture.base.path
        let sink = fixture.log.sink
        let build = Task { try await builder.build(step, lower: [base], into: directory, log: sink) }
        for _ in 0..<600 where !fixture.log.text.contains("started") {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(fixture.log.text.contains("started"))
        #expect(try await fixture.runc.list().count == 1)
        build.cancel()
        let result = await build.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(fixture.leftoverMounts.isEmpty, "mounts left: \(fixture.leftoverMounts)")
        #expect(try await fixture.runc.list().isEmpty)
    }
}
