import Testing
@testable import PaddockCore

/// The `config.packages` entry rules of `api.md`, "Environment object", as tables.
@Suite("Package specs")
struct PackageSpecTests {
    // MARK: apt

    @Test("valid apt entries", arguments: [
        ("jq", "jq", nil), ("jq=1.6-2.1", "jq", "1.6-2.1"), ("libc6-dev", "libc6-dev", nil), ("g++", "g++", nil),
        ("python3.11", "python3.11", nil), ("libssl3=3.0.11-1~deb12u2", "libssl3", "3.0.11-1~deb12u2"),
        ("tzdata=1:2024a-0+deb12u1", "tzdata", "1:2024a-0+deb12u1"),
    ] as [(String, String, String?)])
    func aptValid(text: String, name: String, pinned: String?) throws {
        let package = try AptPackage.parse(text, param: "config.packages.apt[0]")
        #expect(package.spec == text)
        #expect(package.name == name)
        #expect(package.pinnedVersion == pinned)
    }

    @Test("invalid apt entries", arguments: [
        "JQ", "-o", "jq;id", "jq=", "j", "jq 1", "jq\n", "", " jq", "jq/bookworm", "jq:amd64", "jq=abc", "jq=1.0;id",
        ".jq", "jq-", "jq=1 2", "jq$(id)", "jq\u{0}", "jqü", String(repeating: "a", count: 257), "=1.0",
    ])
    func aptInvalid(text: String) {
        expectInvalid(param: "config.packages.apt[3]") { try AptPackage.parse(text, param: "config.packages.apt[3]") }
    }

    @Test("apt messages name the entry and the fix")
    func aptMessages() {
        #expect(throws: PaddockError.invalid("config.packages.apt[0]", "'JQ' is not an apt package; package names are lower-case, write 'jq'")) {
            try AptPackage.parse("JQ", param: "config.packages.apt[0]")
        }
        #expect(throws: PaddockError.invalid("config.packages.apt[1]", "'jq=' is not an apt package; the version after '=' is empty, write 'jq' or a version such as 'jq=1.0-1'")) {
            try AptPackage.parse("jq=", param: "config.packages.apt[1]")
        }
    }

    // MARK: pip

    @Test("valid pip requirements", arguments: [
        ("pandas", "pandas", nil), ("PyYAML==6.0.1", "PyYAML", "6.0.1"), ("requests[socks]>=2,<3", "requests", nil),
        ("pkg>=1,<2", "pkg", nil), ("requests[socks]==2.31.0", "requests", "2.31.0"), ("six==1.16.0", "six", "1.16.0"),
        ("numpy; python_version >= \"3.8\"", "numpy", nil), ("zope.interface", "zope.interface", nil),
        ("  pandas==2.1.0  ", "pandas", "2.1.0"), ("pkg (>=1)", "pkg", nil), ("pkg (>=1, <2)", "pkg", nil),
        ("pkg >= 1 , < 2", "pkg", nil), ("pkg===1.0", "pkg", nil), ("pkg==1.*", "pkg", nil), ("pkg~=1.4.2", "pkg", nil),
        ("pkg!=1.5", "pkg", nil), ("pkg==1!2.0+local.1", "pkg", "1!2.0+local.1"), ("pkg[]", "pkg", nil),
        ("pkg[a, b]==1", "pkg", "1"), ("x", "x", nil),
        ("pkg; sys_platform == 'linux' and (python_version < '3.12' or platform_machine in 'x86_64 aarch64')", "pkg", nil),
        ("pkg;extra=='test'", "pkg", nil), ("pkg; os_name not in 'nt'", "pkg", nil),
        ("pkg==1.0; python_version>\"3\"and os_name==\"posix\"", "pkg", "1.0"),
    ] as [(String, String, String?)])
    func pipValid(text: String, name: String, pinned: String?) throws {
        let requirement = try PipRequirement.parse(text, param: "config.packages.pip[0]")
        #expect(requirement.spec == PackageEntry.trimmingSpaces(text))
        #expect(requirement.name == name)
        #expect(requirement.pinnedVersion == pinned)
    }

    @Test("invalid pip requirements", arguments: [
        "x; id", "--index-url=http://x", "-r /etc/passwd", "pkg @ https://x/y.whl", "pkg@https://x/y.whl",
        "https://x/y.whl", "foo[a,\nb]", "pkg\n", "pkg\u{0}", "pkg | id", "pkg && id", "pkg==$(id)", "pkg==`id`",
        "pkg>1 <2", "pkg;", "pkg; python_version", "pkg; python_version >= 3.8", "pkg; python_version >= '3.8' or",
        "pkg; (python_version >= '3.8'", "pkg; python_version >= \"$(id)\"", "pkg; foo == 'x'", "pkg==", "pkg>=1,",
        "pkg==1.*.2", "pkg>=1.*", "pkg[a", "pkg[a;b]", "./pkg", "/tmp/pkg", "~/pkg", "pkg.whl", "pkg-1.0.tar.gz",
        "pkg-", "_pkg", "pkg pkg2", "pkg==1.0 ; ; x", "pkg>>1", "", "   ", "pkg; python_version >= '3.8' \\",
        "pkg==1.0#sha", "pkg==1.0 --hash=sha256:abc", String(repeating: "p", count: 257), "pkg; python_version < '3' <",
    ])
    func pipInvalid(text: String) {
        expectInvalid(param: "config.packages.pip[2]") { try PipRequirement.parse(text, param: "config.packages.pip[2]") }
    }

    @Test("the brief's pip message")
    func pipMessage() {
        #expect(throws: PaddockError.invalid("config.packages.pip[2]", "'--index-url=http://x' is not a pip requirement; options are not allowed, write a package name such as 'pandas==2.1.0'")) {
            try PipRequirement.parse("--index-url=http://x", param: "config.packages.pip[2]")
        }
    }

    @Test("pip names are compared PEP 503-normalised", arguments: [
        ("PyYAML", "pyyaml"), ("zope.interface", "zope-interface"), ("A__b-.C", "a-b-c"), ("x", "x"),
    ])
    func pipNormalizedName(text: String, normalized: String) throws {
        #expect(try PipRequirement.parse(text, param: "p").normalizedName == normalized)
    }

    // MARK: npm

    @Test("valid npm packages", arguments: [
        ("eslint", "eslint", nil, nil), ("typescript@5.0.0", "typescript", "5.0.0", "5.0.0"),
        ("@types/node@20", "@types/node", "20", nil), ("@scope/pkg", "@scope/pkg", nil, nil),
        ("@scope/pkg@^1.2", "@scope/pkg", "^1.2", nil), ("typescript@>=2 <5", "typescript", ">=2 <5", nil),
        ("left-pad@1.3.0", "left-pad", "1.3.0", "1.3.0"), ("pkg@~1", "pkg", "~1", nil), ("pkg@1.x", "pkg", "1.x", nil),
        ("pkg@1 - 2", "pkg", "1 - 2", nil), ("pkg@1 || 2", "pkg", "1 || 2", nil), ("pkg@^1.2 || >=3.0.0 <4", "pkg", "^1.2 || >=3.0.0 <4", nil),
        ("pkg@latest", "pkg", "latest", nil), ("pkg@next", "pkg", "next", nil), ("pkg@1.0.0-rc.1+b.5", "pkg", "1.0.0-rc.1+b.5", "1.0.0-rc.1+b.5"),
        ("pkg@=1.2.3", "pkg", "=1.2.3", "1.2.3"), ("pkg@v1.2.3", "pkg", "v1.2.3", "1.2.3"), ("pkg@*", "pkg", "*", nil),
        ("pkg@>= 2", "pkg", ">= 2", nil), ("lodash.merge", "lodash.merge", nil, nil), ("q", "q", nil, nil),
    ] as [(String, String, String?, String?)])
    func npmValid(text: String, name: String, version: String?, pinned: String?) throws {
        let package = try NpmPackage.parse(text, param: "config.packages.npm[0]")
        #expect(package.spec == text)
        #expect(package.name == name)
        #expect(package.version == version)
        #expect(package.pinnedVersion == pinned)
    }

    @Test("invalid npm packages", arguments: [
        "@", "a b", "../x", "@scope", "@scope/", "Foo", "-g", "x@", "x;id", "x@$(id)", "git+https://github.com/a/b.git",
        "file:../x", "http://x/y.tgz", "github:user/repo", "user/repo", "alias@npm:pkg@1", "x@ 1", "x@1 ", "x\n", "x@1\n2",
        ".x", "_x", "a..b", "@scope/a/b", "x@1.2.3;id", "x@1 | 2", "x@>=2 <5 && id", "x@`id`", "node_modules", "",
        String(repeating: "a", count: 215), "x@1.2.3.4", "x@01.2.3", "x@-1", "x@1 -", "x@||", "x@Latest", "x@1 2 -",
        "@/x", "x@@1",
    ])
    func npmInvalid(text: String) {
        expectInvalid(param: "config.packages.npm[1]") { try NpmPackage.parse(text, param: "config.packages.npm[1]") }
    }

    // MARK: lists

    @Test("lists keep order and name entries with their index")
    func listsValid() throws {
        let lists = try PackageLists.validate(apt: ["jq", "g++"], pip: ["pandas", "numpy==1.26.0"], npm: ["eslint"], param: "config.packages")
        #expect(lists.apt.map(\.spec) == ["jq", "g++"])
        #expect(lists.pip.map(\.spec) == ["pandas", "numpy==1.26.0"])
        #expect(lists.npm.map(\.name) == ["eslint"])
        #expect(throws: PaddockError.self) {
            try PackageLists.validate(apt: [], pip: ["ok", "-r x"], npm: [], param: "config.packages")
        }
        do {
            _ = try PackageLists.validate(apt: ["jq", "curl", "wget", "JQ"], pip: [], npm: [], param: "config.packages")
        } catch {
            #expect(error.param == "config.packages.apt[3]")
        }
    }

    @Test("duplicates are refused, naming both entries", arguments: [
        ([["jq", "curl", "jq=1.6-2.1"], [], []], "config.packages.apt[2]", "config.packages.apt[0]"),
        ([[], ["PyYAML==6.0.1", "pyyaml == 6.0.1"], []], "config.packages.pip[1]", "config.packages.pip[0]"),
        ([[], ["zope.interface", "x", "Zope_Interface"], []], "config.packages.pip[2]", "config.packages.pip[0]"),
        ([[], ["a; python_version < '3'", "A ;python_version<\"3\""], []], "config.packages.pip[1]", "config.packages.pip[0]"),
        ([[], [], ["eslint", "eslint@9"]], "config.packages.npm[1]", "config.packages.npm[0]"),
        ([[], ["pandas==2.1.0", "pandas==2.2.0"], []], "config.packages.pip[1]", "config.packages.pip[0]"),
        ([[], ["pandas>=2", "pandas<3"], []], "config.packages.pip[1]", "config.packages.pip[0]"),
        ([[], ["pandas[excel]", "pandas"], []], "config.packages.pip[1]", "config.packages.pip[0]"),
    ] as [([[String]], String, String)])
    func duplicates(lists: [[String]], param: String, first: String) {
        do {
            _ = try PackageLists.validate(apt: lists[0], pip: lists[1], npm: lists[2], param: "config.packages")
            Issue.record("duplicates were accepted")
        } catch {
            #expect(error.param == param)
            #expect(error.message.contains(first), "\(error.message)")
        }
    }

    @Test("pip requirements of one project split by environment marker are kept")
    func pipDistinct() throws {
        let lists = try PackageLists.validate(
            apt: [], pip: ["numpy==1.24.4; python_version < '3.9'", "numpy==1.26.0; python_version >= '3.9'", "requests", "urllib3"],
            npm: [], param: "config.packages")
        #expect(lists.pip.count == 4)
    }

    @Test("a list has at most 256 entries")
    func tooMany() throws {
        let names = (0..<257).map { "pkg\($0)" }
        #expect(throws: PaddockError.self) { try PackageLists.validate(apt: names, pip: [], npm: [], param: "config.packages") }
        #expect(try PackageLists.validate(apt: [], pip: Array(names.prefix(256)), npm: [], param: "config.packages").pip.count == 256)
    }

    // MARK: helpers

    func expectInvalid(param: String, _ body: () throws -> some Any) {
        do {
            let value = try body()
            Issue.record("accepted: \(value)")
        } catch let error as PaddockError {
            #expect(error.code == .invalidArgument)
            #expect(error.param == param)
            #expect(error.message.hasPrefix("\(param): '"), "\(error.message)")
            #expect(error.message.contains(", write "), "\(error.message)")
            #expect(!error.message.contains("\n"), "\(error.message)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
