import Testing
import PaddockJSON
@testable import PaddockCLI

@Suite("text output")
struct OutputRenderingTests {
    @Test("a table pads every column but the last and leaves no trailing spaces")
    func table() {
        let table = TextTable(headers: ["ID", "NAME", "NOTE"], rows: [["a", "longer name", ""], ["bbbb", "x", "end"]])
        #expect(table.render() == """
            ID    NAME         NOTE
            a     longer name
            bbbb  x            end
            """)
    }

    @Test("a block aligns values and continues multi-line values under the value column")
    func block() {
        var block = DetailBlock()
        block.add("id", "env_1")
        block.add("packages", "apt: jq\npip: -")
        block.add("empty", "")
        #expect(block.render() == """
            id:        env_1
            packages:  apt: jq
                       pip: -
            empty:
            """)
    }

    @Test("env get shows every field of an environment")
    func environmentDetail() async {
        let env = environmentFixture(
            id: "env_01WEB", name: "web",
            networking: ["type": "limited", "allow_package_managers": true,
                         "allowed_hosts": ["api.example.com", "*.example.org"]],
            packages: ["apt": ["jq"], "pip": ["pandas==2.1.0", "numpy"], "npm": []],
            setupScript: "apt-get update\necho ready\n", description: "Web tier",
            metadata: ["team": "ml", "tier": "gold"])
        let result = await runCLI(["env", "get", "env_01WEB"], server: environmentServer([env]))
        #expect(result.stdout == """
            id:            env_01WEB
            name:          web
            description:   Web tier
            status:        ready
            network:       limited
                           package managers: allowed
                           allowed hosts: api.example.com, *.example.org
            packages:      apt: jq
                           pip: pandas==2.1.0, numpy
                           npm: -
            setup script:  apt-get update
                           echo ready
            metadata:      team=ml
                           tier=gold
            created:       2026-12-03T16:39:34Z
            updated:       2026-12-04T08:00:00Z

            """)
    }

    static let networks: [(JSONValue, String)] = [
        (["type": "unrestricted"], "unrestricted"),
        ("unrestricted", "unrestricted"),
        (["type": "allowlist", "domains": []], "allowlist\ndomains: none (no outbound network)"),
        (["type": "allowlist", "domains": ["pypi.org"]], "allowlist\ndomains: pypi.org"),
        (["type": "limited", "allow_package_managers": false, "allowed_hosts": []],
         "limited\npackage managers: not allowed\nallowed hosts: -"),
    ]

    @Test("network policies read as words", arguments: networks)
    func network(networking: JSONValue, text: String) {
        #expect(EnvironmentDisplay.network(networking) == text)
    }

    @Test("timestamps lose their fraction of a second")
    func timestamps() {
        #expect(Display.timestamp("2026-12-03T16:39:34.123Z") == "2026-12-03T16:39:34Z")
        #expect(Display.timestamp("2026-12-03T16:39:34Z") == "2026-12-03T16:39:34Z")
        #expect(Display.timestamp(nil) == "-")
        #expect(Display.timestamp(JSONValue.null) == "-")
    }

    @Test("--json output is the API's object, pretty-printed")
    func json() async throws {
        let env = environmentFixture(id: "env_01WEB", name: "web")
        let result = await runCLI(["env", "get", "env_01WEB", "--json"], server: environmentServer([env]))
        #expect(result.stdout == JSONWriter.pretty(env) + "\n")
    }
}
