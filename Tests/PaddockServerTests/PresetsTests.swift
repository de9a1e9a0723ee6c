import Foundation
import PaddockTestSupport
import PaddockCore
import PaddockHTTP
import PaddockJSON
import PaddockRuntime
import PaddockServer
import PaddockStore
import Testing

/// The network presets: the bundled data files, an operator's replacement directory, the
/// `paddock serve` flags, and `GET /v1/network/presets`.
@Suite("network presets")
struct PresetsTests {
    /// The entry lines of a preset file (comments and blank lines dropped), with line numbers.
    static func entries(_ text: String) -> [(line: Int, text: String)] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { offset, line in
            let entry = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
                .trimmingCharacters(in: .whitespaces) ?? ""
            return entry.isEmpty ? nil : (offset + 1, entry)
        }
    }

    /// A fresh directory holding the two files.
    static func presetsDirectory(knownSafe: String, packageManagers: String) throws -> String {
        // Standardised, as the loader shows it (`NSTemporaryDirectory()` ends in a slash).
        let directory = URL(fileURLWithPath: try TemporaryDirectory.make()).standardizedFileURL.path
        try knownSafe.write(toFile: directory + "/known-safe.txt", atomically: true, encoding: .utf8)
        try packageManagers.write(toFile: directory + "/package-managers.txt", atomically: true, encoding: .utf8)
        return directory
    }

    static let validKnownSafe = "# test presets\n# version: 2027-01-02.3\n\ngithub.com  # code\n*.example.org\n"
    static let validPackageManagers = "# version: 2027-01-02.3\npypi.org\nfiles.pythonhosted.org\n"

    @Test("every line of the bundled files is a valid host pattern, listed once, and both carry the same version")
    func bundledFilesParse() throws {
        let loaded = try PresetFiles.load(directory: nil)
        #expect(loaded.source == .builtin)
        #expect(loaded.presets.version == "2026-12-03.1")
        let directory = try #require(PresetFiles.builtinLocations().first {
            FileManager.default.fileExists(atPath: $0 + "/" + PresetFiles.knownSafeFileName)
        })
        for (file, list) in [(PresetFiles.knownSafeFileName, loaded.presets.knownSafe),
                             (PresetFiles.packageManagersFileName, loaded.presets.packageManagers)] {
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            #expect(text.contains("\n# version: 2026-12-03.1\n"), "\(file) has the version header")
            let lines = Self.entries(text)
            #expect(!lines.isEmpty)
            for (line, entry) in lines {
                let pattern = try HostPattern.parse(entry, param: "\(file) line \(line)")
                #expect(pattern.description == entry, "\(file) line \(line) is written in canonical form")
                #expect(pattern.port == nil, "\(file) line \(line) names no port")
            }
            #expect(list.map(\.description) == lines.map(\.text), "\(file) lists each host once, in file order")
        }
    }

    @Test("the bundled lists hold the hosts the design names", arguments: [
        ("known_safe", ["github.com", "api.github.com", "codeload.github.com", "raw.githubusercontent.com",
                        "objects.githubusercontent.com", "gitlab.com", "bitbucket.org", "docs.python.org"]),
        ("package_managers", ["deb.debian.org", "security.debian.org", "archive.ubuntu.com", "security.ubuntu.com",
                              "pypi.org", "files.pythonhosted.org", "registry.npmjs.org", "registry.yarnpkg.com",
                              "crates.io", "static.crates.io", "index.crates.io", "proxy.golang.org", "sum.golang.org",
                              "rubygems.org", "repo.maven.apache.org", "repo1.maven.org", "plugins.gradle.org",
                              "api.nuget.org", "conda.anaconda.org"]),
    ])
    func bundledHosts(list: String, hosts: [String]) throws {
        let presets = try PresetFiles.load(directory: nil).presets
        let patterns = list == "known_safe" ? presets.knownSafe : presets.packageManagers
        for host in hosts {
            #expect(patterns.contains { $0.matches(host: host, port: 443) }, "\(list) allows \(host)")
        }
        #expect(!patterns.contains { $0.matches(host: "evil.example", port: 443) })
    }

    @Test("an operator directory replaces the bundled lists")
    func operatorDirectory() throws {
        let directory = try Self.presetsDirectory(knownSafe: Self.validKnownSafe, packageManagers: Self.validPackageManagers)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let loaded = try PresetFiles.load(directory: directory)
        #expect(loaded.source == .directory(directory))
        #expect(loaded.sourceText == directory)
        #expect(loaded.presets.version == "2027-01-02.3")
        #expect(loaded.presets.knownSafe.map(\.description) == ["github.com", "*.example.org"])
        #expect(loaded.presets.packageManagers.map(\.description) == ["pypi.org", "files.pythonhosted.org"])
    }

    @Test("a bad line fails with the file and the line number", arguments: [
        ("known-safe.txt", "# version: 1\ngithub.com\n\n# a comment\nhttps://evil.example/x\n", 5),
        ("known-safe.txt", "# version: 1\n*\n", 2),
        ("package-managers.txt", "# version: 1\npypi.org\ncom\n", 3),
        ("package-managers.txt", "# version: 1\npypi.org:8443\n", 2),
    ])
    func badLine(file: String, text: String, line: Int) throws {
        let isKnownSafe = file == "known-safe.txt"
        let directory = try Self.presetsDirectory(knownSafe: isKnownSafe ? text : "# version: 1\ngithub.com\n",
                                                  packageManagers: isKnownSafe ? "# version: 1\npypi.org\n" : text)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            _ = try PresetFiles.load(directory: directory)
            Issue.record("\(file) with a bad line \(line) was accepted")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("\(directory)/\(file) line \(line):"), "\(error.message)")
        }
    }

    @Test("a missing file, a missing version and versions that differ are refused, naming the file", arguments: [
        ("github.com\n", "# version: 1\npypi.org\n", "known-safe.txt has no '# version: …' line"),
        ("# version: 1\ngithub.com\n", "# version: 2\npypi.org\n", "package-managers.txt has '2'"),
        ("# version:\ngithub.com\n", "# version: 1\npypi.org\n", "known-safe.txt: the '# version:' line names no version"),
        ("# version: has space\n", "# version: has space\n", "known-safe.txt: version"),
        ("# version: 1\ngithub.com\n", nil, "cannot read"),
    ] as [(String, String?, String)])
    func badFiles(knownSafe: String, packageManagers: String?, expected: String) throws {
        let directory = try Self.presetsDirectory(knownSafe: knownSafe, packageManagers: packageManagers ?? "")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        if packageManagers == nil { try FileManager.default.removeItem(atPath: directory + "/package-managers.txt") }
        do {
            _ = try PresetFiles.load(directory: directory)
            Issue.record("accepted; expected an error containing \(expected)")
        } catch {
            #expect(error.message.hasPrefix("network presets: "))
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test("paddock serve refuses to start on a bad presets file, naming the file and the line")
    func serveFailsOnBadPresets() async throws {
        let directory = try Self.presetsDirectory(knownSafe: "# version: 1\ngithub.com\nhttps://gitlab.com/x\n",
                                                  packageManagers: "# version: 1\npypi.org\n")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--data", directory + "/data", "--presets", directory]
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output: String = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let data = PipeReading.readAll(stderr.fileHandleForReading)
                process.waitUntilExit()
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }
        }
        #expect(process.terminationStatus == 1)
        #expect(output.contains("error: network presets: \(directory)/known-safe.txt line 3: 'https://gitlab.com/x' is not a host name"),
                "\(output)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/data"), "nothing was created before the check")
    }

    @Test("paddock serve takes --presets and repeated --allow-cidr, or their variables")
    func serveFlags() throws {
        let flags = try ServeCommand.parse(["--presets", "/etc/paddock/presets", "--allow-cidr", "10.1.2.0/24",
                                            "--allow-cidr", "192.168.7.7"], environment: [:])
        #expect(flags.presetsDirectory == "/etc/paddock/presets")
        #expect(flags.allowCIDRs.map(\.description) == ["10.1.2.0/24", "192.168.7.7/32"])
        let variables = try ServeCommand.parse([], environment: ["PADDOCK_PRESETS": "/srv/presets",
                                                                 "PADDOCK_ALLOW_CIDRS": "10.0.0.0/8, 172.16.5.0/24"])
        #expect(variables.presetsDirectory == "/srv/presets")
        #expect(variables.allowCIDRs.map(\.description) == ["10.0.0.0/8", "172.16.5.0/24"])
        let both = try ServeCommand.parse(["--allow-cidr", "10.9.0.0/16"], environment: ["PADDOCK_ALLOW_CIDRS": "10.0.0.0/8"])
        #expect(both.allowCIDRs.map(\.description) == ["10.9.0.0/16"])
        let defaults = try ServeCommand.parse([], environment: [:])
        #expect(defaults.presetsDirectory == nil)
        #expect(defaults.allowCIDRs.isEmpty)
        // Only private ranges open: never loopback, link-local (metadata), 0/8, multicast or public space.
        for bad in ["10.1.2.3/24", "example.com", "10.0.0.0/33", "127.0.0.0/8", "169.254.0.0/16", "169.254.169.254",
                    "0.0.0.0/0", "8.0.0.0/7", "224.0.0.0/4", "10.0.0.0/7", "198.51.100.0/24"] {
            #expect(throws: PaddockError.self, "\(bad)") { try ServeCommand.parse(["--allow-cidr", bad], environment: [:]) }
        }
        #expect(throws: PaddockError.self) { try ServeCommand.parse(["--presets"], environment: [:]) }
    }

    @Test("GET /v1/network/presets shows the bundled lists to any key")
    func presetsRoute() async throws {
        let server = try await TestServer()
        do {
            let key = try await server.makeAccount("member")
            let response = try await server.call("GET", "/v1/network/presets", key: key)
            #expect(response.status == 200)
            let builtin = try PresetFiles.load(directory: nil).presets
            #expect(response.json == [
                "version": "2026-12-03.1",
                "known_safe": .array(builtin.knownSafe.map { .string($0.description) }),
                "package_managers": .array(builtin.packageManagers.map { .string($0.description) }),
                "source": "builtin",
            ])
            #expect(try await RawHTTP.send(port: server.port, "GET", "/v1/network/presets").status == 401)
            let query = try await server.call("GET", "/v1/network/presets?x=1", key: key)
            #expect(query.status == 400)
            #expect(query.errorParam == "x")
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    @Test("an API given an operator's presets serves them with their directory as the source")
    func operatorPresetsRoute() async throws {
        let directory = try Self.presetsDirectory(knownSafe: Self.validKnownSafe, packageManagers: Self.validPackageManagers)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try PaddockStore(path: directory + "/paddock.db")
        let backend = SessionBackend(
            runtime: FakeSessionRuntime(),
            baseImages: try BaseImageBuilder(imagesDirectory: URL(fileURLWithPath: directory + "/images"), recipe: BaseRecipe.load()),
            layers: try LayerStore(directory: URL(fileURLWithPath: directory + "/layers")), layerCacheLimitBytes: 1 << 30)
        let api = PaddockAPI(store: store, sessions: backend, logRequests: false, presets: try PresetFiles.load(directory: directory))
        let key = try #require(try await api.bootstrapAdminKey())
        let response = await api.handle(HTTPRequest(method: "GET", target: "/v1/network/presets",
                                                    headers: [("authorization", "Bearer \(key)")]))
        await api.stopSessions()
        await store.close()
        #expect(response.status == 200)
        #expect(try JSONParser.parse(await response.collectBody()) == [
            "version": "2027-01-02.3", "known_safe": ["github.com", "*.example.org"],
            "package_managers": ["pypi.org", "files.pythonhosted.org"], "source": .string(directory),
        ])
    }
}
