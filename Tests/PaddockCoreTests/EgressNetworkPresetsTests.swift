import Testing
@testable import PaddockCore

/// Reading the known-safe and package-manager data files.
@Suite("Egress network presets")
struct EgressNetworkPresetsTests {
    @Test("one pattern per line; comments and blank lines are skipped; repeats kept once")
    func parse() throws {
        let presets = try NetworkPresets.parse(
            knownSafe: "# source hosting\ngithub.com\n\n  api.github.com  # the API\r\n*.githubusercontent.com\ngithub.com\n",
            packageManagers: "pypi.org\nfiles.pythonhosted.org\n\t# npm\nregistry.npmjs.org",
            version: "2025-01-15")
        #expect(presets.knownSafe.map(\.description) == ["github.com", "api.github.com", "*.githubusercontent.com"])
        #expect(presets.packageManagers.map(\.description) == ["pypi.org", "files.pythonhosted.org", "registry.npmjs.org"])
        #expect(presets.version == "2025-01-15")
    }

    @Test("an invalid line is refused, naming the list and the line", arguments: [
        ("github.com\nhttps://gitlab.com/x\n", "", "known_safe line 2"),
        ("", "pypi.org\n\n*\n", "package_managers line 3"),
        ("github.com:8443", "", "known_safe line 1"),
    ])
    func invalidLine(knownSafe: String, packageManagers: String, param: String) {
        do {
            _ = try NetworkPresets.parse(knownSafe: knownSafe, packageManagers: packageManagers, version: "1")
            Issue.record("accepted an invalid list")
        } catch {
            #expect(error.param == param)
            #expect(error.code == .invalidArgument)
        }
    }

    @Test("an invalid version is refused", arguments: ["", "two words", String(repeating: "v", count: 65), "v\n1"])
    func invalidVersion(version: String) {
        #expect(throws: PaddockError.self) { try NetworkPresets.parse(knownSafe: "", packageManagers: "", version: version) }
    }
}
