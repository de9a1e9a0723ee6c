import Foundation
import PaddockCore
import Testing
@testable import PaddockRuntime

/// The pure parts of the layer builder: which output lines a failure quotes, how commands are
/// written, how pin reports are read, the host network option of build containers.
@Suite("Layer builds: messages, pins, build container spec")
struct LayerBuildUnitTests {
    @Test("a failure quotes the manager's own error lines", arguments: [
        (LayerKind.pip, ["Collecting six==0.0.999", "ERROR: Could not find a version", "ERROR: No matching distribution"],
         ["ERROR: Could not find a version", "ERROR: No matching distribution"]),
        (.apt, ["Reading package lists...", "E: Unable to locate package nope", "W: something"], ["E: Unable to locate package nope"]),
        (.npm, ["added 1 package", "npm ERR! code E404", "npm ERR! 404 ", "npm error 404 Not Found",
                "npm ERR! A complete log of this run can be found in:", "npm ERR!     /root/.npm/_logs/x-debug-0.log"],
         ["npm ERR! code E404", "npm error 404 Not Found"]),
        (.setup, ["step one", "", "ERROR: not special here", "last words"], ["step one", "ERROR: not special here", "last words"]),
    ])
    func decisiveLines(kind: LayerKind, output: [String], quoted: [String]) {
        var digest = BuildOutputDigest(kind: kind)
        output.forEach { digest.append($0) }
        #expect(digest.quotedLines == quoted)
    }

    @Test("without error lines the last lines are quoted, and never more than the limit")
    func tailIsBounded() {
        var digest = BuildOutputDigest(kind: .pip)
        for index in 0..<1000 { digest.append("line \(index)") }
        #expect(digest.quotedLines.count == BuildOutputDigest.maxLines)
        #expect(digest.quotedLines.last == "line 999")
        for index in 0..<30 { digest.append("ERROR: \(index)") }
        #expect(digest.quotedLines == (10..<30).map { "ERROR: \($0)" })
        digest.append("ERROR: " + String(repeating: "x", count: 10_000))
        #expect(digest.quotedLines.last!.count == BuildOutputDigest.maxLineCharacters + 1)
    }

    @Test("commands are written as a reader would type them")
    func commandText() {
        #expect(BuildCommandText.render(["pip", "install", "--", "six==1.16.0"]) == "pip install -- six==1.16.0")
        #expect(BuildCommandText.render(["npm", "install", "-g", "--", "typescript@>=2 <5", "it's"])
                == "npm install -g -- 'typescript@>=2 <5' 'it'\\''s'")
        #expect(BuildCommandText.render(["apt-get"] + Array(repeating: "package", count: 200)).hasSuffix("…"))
        #expect(BuildCommandText.outcome(1) == "exited with status 1")
        #expect(BuildCommandText.outcome(137).hasPrefix("was killed by signal 9"))
        #expect(BuildCommandText.outcome(143) == "was killed by signal 15")
    }

    @Test("dpkg-query reports count only installed packages")
    func aptPins() {
        let pins = [PinnedPackage(name: "jq", version: "1.6-2.1"), PinnedPackage(name: "curl", version: "7.88.1-10"),
                    PinnedPackage(name: "gone", version: "1.0")]
        let checks = PinVerification.aptChecks(["jq\tii \t1.6-2.1", "curl\tii \t7.88.1-10+deb12u5", "gone\tun \t"], pins: pins)
        #expect(checks == [
            PinCheck(pin: pins[0], found: "1.6-2.1", matches: true),
            PinCheck(pin: pins[1], found: "7.88.1-10+deb12u5", matches: false),
            PinCheck(pin: pins[2], found: nil, matches: false),
        ])
        let command = PinVerification.command(for: .apt, pins: pins)
        #expect(command.suffix(4) == ["--", "jq", "curl", "gone"])
    }

    @Test("the pip report is read in pin order; a package it does not mention is missing")
    func pipPins() {
        let pins = [PinnedPackage(name: "pyyaml", version: "6.0.1"), PinnedPackage(name: "six", version: "1.15.0"),
                    PinnedPackage(name: "absent", version: "1")]
        let checks = PinVerification.pipChecks(["six\t1.16.0\t0", "pyyaml\t6.0.1\t1"], pins: pins)
        #expect(checks.map(\.found) == ["6.0.1", "1.16.0", nil])
        #expect(checks.map(\.matches) == [true, false, false])
        #expect(PinVerification.command(for: .pip, pins: pins).suffix(6) == ["pyyaml", "6.0.1", "six", "1.15.0", "absent", "1"])
    }

    @Test("npm ls output is read by package name, scoped names included")
    func npmPins() throws {
        let json = #"{"dependencies": {"left-pad": {"version": "1.3.0"}, "@scope/tool": {"version": "2.0.0"}}}"#
        let pins = [PinnedPackage(name: "left-pad", version: "v1.3.0"), PinnedPackage(name: "@scope/tool", version: "2.0.1"),
                    PinnedPackage(name: "absent", version: "1.0.0")]
        let checks = try #require(PinVerification.npmChecks(json, pins: pins))
        #expect(checks.map(\.found) == ["1.3.0", "2.0.0", nil])
        #expect(checks.map(\.matches) == [true, false, false])
        #expect(PinVerification.npmChecks("npm ERR! not json", pins: pins) == nil)
        #expect(PinVerification.npmChecks("{}", pins: pins)?.allSatisfy { $0.found == nil } == true)
    }

    @Test("a pin failure names each package, the wanted and the found version")
    func pinFailureMessage() throws {
        let step = LayerStep(kind: .pip, key: layerTestKey("a"), parentKey: layerTestKey("b"), commands: [])
        let checks = [
            PinCheck(pin: PinnedPackage(name: "six", version: "1.15.0"), found: "1.16.0", matches: false),
            PinCheck(pin: PinnedPackage(name: "ok", version: "1"), found: "1", matches: true),
            PinCheck(pin: PinnedPackage(name: "gone", version: "2"), found: nil, matches: false),
        ]
        let failure = try #require(PinVerification.failure(checks, step: step))
        #expect(failure.step == "pip")
        #expect(failure.message == "pip layer: pinned versions did not install:\nsix: wanted 1.15.0, found 1.16.0\ngone: wanted 2, but it is not installed")
        #expect(PinVerification.failure(Array(checks[1...1]), step: step) == nil)
    }

    @Test("a build container on the host network has no network namespace; sessions always have one")
    func hostNetwork() throws {
        func namespaces(_ network: NetworkNamespace) throws -> [OCI.Namespace] {
            try SessionSpecification(rootfs: "/r", hostname: "paddock-build", arguments: ["true"],
                                     resources: ResourceLimits(cpus: 1, memoryMB: 64, pids: 64), network: network)
                .makeSpec().linux?.namespaces ?? []
        }
        let host = try namespaces(.host).map(\.type)
        #expect(!host.contains(.network))
        #expect(host.count == SessionHardening.namespaces.count - 1)
        #expect(try namespaces(.fresh).contains(OCI.Namespace(type: .network)))
        #expect(try namespaces(.join(path: "/run/netns/x")).contains(OCI.Namespace(type: .network, path: "/run/netns/x")))
    }

    @Test("mount-point stubs are the missing parts of each bind destination, deepest first")
    func mountPointStubs() throws {
        let directory = try ImageTestDirectory("stubs")
        defer { directory.remove() }
        try directory.write("etc/resolv.conf", size: 0)
        let stubs = BuildLeftovers.mountPointStubs(
            for: ["/etc/resolv.conf", "/paddock/setup.sh", "/paddock/other", "/etc/new/file"], in: directory.path)
        #expect(stubs == ["etc/new/file", "etc/new", "paddock/other", "paddock/setup.sh", "paddock"])
    }
}
