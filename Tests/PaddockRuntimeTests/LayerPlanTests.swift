import Testing
import PaddockCore
@testable import PaddockRuntime

@Suite("Layer keys and plans")
struct LayerPlanTests {
    let base = layerTestKey("base")
    let mirrors = MirrorSettings.standard

    func packages(apt: [String] = [], pip: [String] = [], npm: [String] = []) throws -> PackageLists {
        try PackageLists.validate(apt: apt, pip: pip, npm: npm, param: "config.packages")
    }

    func full(apt: [String] = ["jq", "ripgrep"], pip: [String] = ["requests==2.31.0"], npm: [String] = ["typescript"],
              script: String? = "echo hi\n", base: LayerKey? = nil, mirrors: MirrorSettings? = nil) throws -> [LayerStep] {
        LayerPlan.plan(base: base ?? self.base, packages: try packages(apt: apt, pip: pip, npm: npm),
                       setupScript: script, mirrors: mirrors ?? self.mirrors)
    }

    @Test("layers come in the order apt, npm, pip, setup, each on the one before")
    func order() throws {
        let steps = try full()
        #expect(steps.map(\.name) == ["apt", "npm", "pip", "setup"])
        #expect(steps[0].parentKey == base)
        for (lower, upper) in zip(steps, steps.dropFirst()) {
            #expect(upper.parentKey == lower.key)
        }
        #expect(Set(steps.map(\.key)).count == 4)
    }

    @Test("the same packages give the same keys")
    func deterministic() throws {
        #expect(try full().map(\.key) == full().map(\.key))
    }

    @Test("one more apt package changes the apt key and every key above it")
    func extraAptPackage() throws {
        let before = try full(), after = try full(apt: ["jq", "ripgrep", "tree"])
        for (old, new) in zip(before, after) {
            #expect(old.key != new.key, "\(old.name) should change")
        }
    }

    @Test("one more pip package changes pip and setup but keeps apt and npm")
    func extraPipPackage() throws {
        let before = try full(), after = try full(pip: ["requests==2.31.0", "rich"])
        #expect(before.map(\.key).prefix(2) == after.map(\.key).prefix(2))
        #expect(before[2].key != after[2].key)
        #expect(before[3].key != after[3].key)
    }

    @Test("the order of packages matters")
    func packageOrder() throws {
        #expect(try full(apt: ["jq", "ripgrep"])[0].key != full(apt: ["ripgrep", "jq"])[0].key)
    }

    @Test("a different base image changes every key")
    func baseMatters() throws {
        let other = try full(base: layerTestKey("other base"))
        for (old, new) in zip(try full(), other) { #expect(old.key != new.key) }
    }

    @Test("each manager's mirror is part of its key")
    func mirrorsMatter() throws {
        let before = try full()
        let pypi = try full(mirrors: MirrorSettings(pypiIndex: "https://pypi.example/simple"))
        #expect(pypi[0].key == before[0].key)
        #expect(pypi[1].key == before[1].key)
        #expect(pypi[2].key != before[2].key)
        let debian = try full(mirrors: MirrorSettings(debian: "http://mirror.example/debian"))
        #expect(debian[0].key != before[0].key)
        let npm = try full(mirrors: MirrorSettings(npmRegistry: "http://127.0.0.1:4873/"))
        #expect(npm[0].key == before[0].key)
        #expect(npm[1].key != before[1].key)
    }

    @Test("the setup script's content is part of its key")
    func scriptMatters() throws {
        let a = try full(script: "echo a\n"), b = try full(script: "echo b\n")
        #expect(a.map(\.key).prefix(3) == b.map(\.key).prefix(3))
        #expect(a[3].key != b[3].key)
    }

    @Test("empty lists and a blank script add no layer", arguments: [nil, "", "  \n\t\n"] as [String?])
    func emptyListsNoLayer(script: String?) throws {
        #expect(LayerPlan.plan(base: base, packages: PackageLists(), setupScript: script, mirrors: mirrors).isEmpty)
        let only = LayerPlan.plan(base: base, packages: try packages(pip: ["rich"]), setupScript: script, mirrors: mirrors)
        #expect(only.map(\.name) == ["pip"])
        #expect(only[0].parentKey == base)
    }

    @Test("apt refreshes, installs the specs after --, then cleans up")
    func aptCommands() throws {
        let apt = try full(apt: ["jq=1.6-2.1", "ripgrep"])[0]
        #expect(apt.commands[0] == ["apt-get", "update"])
        #expect(apt.commands[1] == ["apt-get", "install", "-y", "--no-install-recommends", "--", "jq=1.6-2.1", "ripgrep"])
        #expect(apt.commands.count == 4)
        #expect(apt.environment["DEBIAN_FRONTEND"] == "noninteractive")
        #expect(apt.pins == [PinnedPackage(name: "jq", version: "1.6-2.1")])
    }

    @Test("pip installs for the system python from the configured index")
    func pipCommands() throws {
        let pip = try full(pip: ["requests==2.31.0", "PyYAML>=6"], mirrors: MirrorSettings(pypiIndex: "https://pypi.example/simple"))[2]
        #expect(pip.commands == [["python3", "-m", "pip", "install", "--no-cache-dir", "--index-url",
                                  "https://pypi.example/simple", "--", "requests==2.31.0", "PyYAML>=6"]])
        #expect(pip.environment["PIP_BREAK_SYSTEM_PACKAGES"] == "1")
        #expect(pip.pins == [PinnedPackage(name: "requests", version: "2.31.0")])
    }

    @Test("npm installs globally from the configured registry")
    func npmCommands() throws {
        let npm = try full(npm: ["typescript@5.4.5", "left-pad"], mirrors: MirrorSettings(npmRegistry: "http://127.0.0.1:4873/"))[1]
        #expect(npm.commands[0] == ["npm", "install", "-g", "--registry", "http://127.0.0.1:4873/", "--", "typescript@5.4.5", "left-pad"])
        #expect(npm.pins == [PinnedPackage(name: "typescript", version: "5.4.5")])
    }

    @Test("setup runs the script file with bash -e and provides it as an input")
    func setupCommand() throws {
        let setup = try full(script: "pip install rich\n")[3]
        #expect(setup.commands == [["/bin/bash", "-e", "/paddock/setup.sh"]])
        #expect(setup.inputs == [LayerInputFile(path: "/paddock/setup.sh", contents: "pip install rich\n")])
        #expect(setup.environment["PIP_INDEX_URL"] == mirrors.pypiIndex)
        #expect(setup.environment["npm_config_registry"] == mirrors.npmRegistry)
    }

    @Test("keys are 64 hex digits and parse back")
    func keyFormat() {
        let key = LayerKey.derive(parent: base, manager: "apt", mirrors: ["m"], entries: ["a"])
        #expect(LayerKey(hex: key.hex) == key)
        #expect(key.short.count == 12)
        #expect(LayerKey(hex: "ABC") == nil)
        #expect(LayerKey(hex: String(repeating: "G", count: 64)) == nil)
    }

    @Test("moving an entry between the mirror and entry lists changes the key")
    func fieldBoundaries() {
        let a = LayerKey.derive(parent: base, manager: "setup", mirrors: ["x", "y"], entries: ["z"])
        let b = LayerKey.derive(parent: base, manager: "setup", mirrors: ["x"], entries: ["y", "z"])
        #expect(a != b)
    }
}
