import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import PaddockCore
@testable import PaddockRuntime

/// Real base image builds with mmdebstrap. They need root, mmdebstrap and the Debian mirror;
/// when one is missing they fail and say which, they are never skipped (CI runs them as root).
@Suite("Base image builds (root, mmdebstrap, network)")
struct ImageBuildTests {
    /// Shared by every test run on this machine, so the ~500 MB image is built once.
    static let cacheDirectory = URL(fileURLWithPath: "/var/cache/paddock-test/images")

    func requirePrerequisites(mirror: String? = MirrorSettings.defaultDebian) async throws {
        try #require(geteuid() == 0, "base image builds need root; run the tests as root")
        try #require(LoggedCommand.resolve("mmdebstrap", path: ProcessInfo.processInfo.environment["PATH"]) != nil,
                     "mmdebstrap is not installed; install it with: apt-get install mmdebstrap")
        guard let mirror else { return }
        let release = try #require(URL(string: "\(mirror)/dists/bookworm/Release"))
        var reachable = false
        var problem = "no HTTP response"
        do {
            let (_, response) = try await URLSession.shared.data(from: release)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            reachable = status == 200
            problem = "HTTP status \(status)"
        } catch {
            problem = "\(error)"
        }
        try #require(reachable, "the Debian mirror is not reachable (\(release): \(problem)); these tests need the network")
    }

    /// Every PEM certificate body in `text`, base64 only, without line breaks.
    static func certificateBodies(_ text: String) -> [String] {
        text.components(separatedBy: "-----BEGIN CERTIFICATE-----").dropFirst().compactMap { chunk in
            chunk.components(separatedBy: "-----END CERTIFICATE-----").first?
                .components(separatedBy: .whitespacesAndNewlines).joined()
        }
    }

    @Test("the base image is built once, has the tools and trusts the host CA; a second ensure does no work",
          .timeLimit(.minutes(30)))
    func buildsBaseImage() async throws {
        try await requirePrerequisites()
        let builder = try BaseImageBuilder(imagesDirectory: Self.cacheDirectory, recipe: BaseRecipe.load())
        await builder.removeStaleTemporaries()

        let started = ContinuousClock.now
        async let first = builder.ensure()
        async let concurrent = builder.ensure()
        let (image, other) = try await (first, concurrent)
        let elapsed = started.duration(to: .now)
        #expect(image == other)
        #expect(await builder.buildCount <= 1, "two concurrent ensure() calls must share one build")
        print("base image \(image.path.path): \((image.sizeBytes ?? 0) / 1_000_000) MB, "
              + "built in \(image.buildSeconds.map { String(format: "%.1f", $0) } ?? "?") s, ensure took \(elapsed)")

        #expect(image.path == builder.imagePath)
        #expect(image.path.lastPathComponent == "base-\(builder.key.hex)")
        for tool in ["usr/bin/python3", "usr/bin/node", "usr/bin/npm", "usr/bin/git", "usr/bin/curl", "usr/bin/bash",
                     "usr/bin/pip3", "usr/bin/less", "usr/bin/ps"] {
            #expect(FileManager.default.fileExists(atPath: image.path.appendingPathComponent(tool).path), "/\(tool) is missing")
        }
        let manPages = ImageFiles.names(in: image.path.appendingPathComponent("usr/share/man/man1").path)
        #expect(manPages.isEmpty, "the recipe's dpkg path-exclude should keep man pages out")

        let host = try String(contentsOfFile: BaseImageBuilder.defaultCABundle, encoding: .utf8)
        let inside = try String(contentsOf: image.path.appendingPathComponent("etc/ssl/certs/ca-certificates.crt"), encoding: .utf8)
        let insideBodies = Set(Self.certificateBodies(inside))
        let hostBodies = Self.certificateBodies(host)
        let firstHost = try #require(hostBodies.first, "the host CA bundle has no certificate")
        #expect(insideBodies.contains(firstHost), "the host bundle's first certificate is not trusted in the image")
        #expect(hostBodies.allSatisfy(insideBodies.contains), "some host certificates are not trusted in the image")
        let installed = try Data(contentsOf: image.path.appendingPathComponent(String(BaseImageBuilder.imageCAPath.dropFirst())))
        #expect(installed == (try Data(contentsOf: URL(fileURLWithPath: BaseImageBuilder.defaultCABundle))))
        #expect(try String(contentsOf: image.path.appendingPathComponent("etc/hostname"), encoding: .utf8) == "paddock\n")

        let builds = await builder.buildCount
        let again = try await builder.ensure()
        #expect(again.path == image.path)
        #expect(await builder.buildCount == builds, "a second ensure() must not build")
        let fresh = try BaseImageBuilder(imagesDirectory: Self.cacheDirectory, recipe: BaseRecipe.load())
        #expect(try await fresh.ensure().path == image.path)
        #expect(await fresh.buildCount == 0, "a new builder must find the published image")
        #expect(await fresh.list().contains { $0.key == image.key })
        #expect(!ImageFiles.names(in: Self.cacheDirectory.path).contains { $0.hasPrefix(".tmp-base-\(image.key.hex)") })
    }

    @Test("a failed build leaves nothing visible and its error carries mmdebstrap's log", .timeLimit(.minutes(5)))
    func failedBuild() async throws {
        try await requirePrerequisites(mirror: nil)
        let dir = try ImageTestDirectory("images")
        defer { dir.remove() }
        let builder = try BaseImageBuilder(imagesDirectory: dir.url, recipe: BaseRecipe.load(),
                                           mirrors: MirrorSettings(debian: "http://127.0.0.1:9/debian"))
        do {
            _ = try await builder.ensure()
            Issue.record("a build from an unreachable mirror succeeded")
        } catch {
            #expect(error.code == .internal)
            #expect(error.message.contains("mmdebstrap exited with status"))
            #expect(error.message.contains("127.0.0.1"), "the log should show the failing fetch: \(error.message)")
            #expect(error.message.split(separator: "\n").count <= BaseImageBuilder.logLines + 2)
        }
        #expect(dir.names().filter { !$0.hasPrefix(".lock-") }.isEmpty, "left behind: \(dir.names())")
        #expect(await builder.list().isEmpty)
        #expect(await builder.buildCount == 0)
    }
}
