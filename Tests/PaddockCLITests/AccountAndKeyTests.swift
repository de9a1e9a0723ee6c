import Testing
import PaddockJSON
@testable import PaddockCLI

@Suite("accounts and keys")
struct AccountAndKeyTests {
    static let newKey = "pdk_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"

    @Test("accounts create posts the name and shows the new key once, prominently")
    func accountCreate() async {
        let server = FakeServer { _ in
            FakeServer.json(201, [
                "account": ["id": "acct_01ACME", "type": "account", "name": "acme",
                            "created_at": "2026-12-03T16:39:34.123Z"],
                "api_key": .string(Self.newKey),
            ])
        }
        let result = await runCLI(["accounts", "create", "acme"], server: server)
        #expect(result.exitCode == 0)
        #expect(result.calls == ["POST /v1/accounts"])
        #expect(result.body() == ["name": "acme"])
        #expect(result.stdout.contains("created account acct_01ACME (acme)"))
        #expect(result.stdout.contains("\n    \(Self.newKey)\n"))
        #expect(result.stdout.contains("shown only once"))
    }

    @Test("accounts me shows the account's fields")
    func accountMe() async {
        let server = FakeServer { _ in
            FakeServer.json(200, ["id": "acct_01ACME", "type": "account", "name": "acme",
                                  "created_at": "2026-12-03T16:39:34.123Z"])
        }
        let result = await runCLI(["accounts", "me"], server: server)
        #expect(result.stdout == """
            id:          acct_01ACME
            name:        acme
            created at:  2026-12-03T16:39:34Z

            """)
    }

    @Test("keys create sends the name when given and shows the key once")
    func keyCreate() async {
        let server = FakeServer { _ in
            FakeServer.json(201, [
                "api_key": ["id": "key_01CI", "type": "api_key", "name": "ci", "prefix": "pdk_0123",
                            "created_at": "2026-12-03T16:39:34.123Z"],
                "key": .string(Self.newKey),
            ])
        }
        let named = await runCLI(["keys", "create", "--name", "ci"], server: server)
        #expect(named.body() == ["name": "ci"])
        #expect(named.stdout.hasPrefix("created API key key_01CI (ci)\n\n    \(Self.newKey)\n"))
        #expect(named.stdout.contains("shown only once"))
        let unnamed = await runCLI(["keys", "create"], server: server)
        #expect(unnamed.body(1) == [:])
    }

    @Test("keys list shows prefixes in a table")
    func keyList() async {
        let server = FakeServer { _ in
            FakeServer.json(200, listFixture([
                ["id": "key_01CI", "type": "api_key", "name": "ci", "prefix": "pdk_0123",
                 "created_at": "2026-12-03T16:39:34.123Z"],
                ["id": "key_01ADMIN", "type": "api_key", "name": nil, "prefix": "pdk_abcd",
                 "created_at": "2026-12-01T09:00:00.000Z"],
            ]))
        }
        let result = await runCLI(["keys", "list"], server: server)
        #expect(result.stdout == """
            ID           NAME  PREFIX    CREATED
            key_01CI     ci    pdk_0123  2026-12-03T16:39:34Z
            key_01ADMIN  -     pdk_abcd  2026-12-01T09:00:00Z

            """)
    }

    @Test("keys delete sends DELETE to the key's path")
    func keyDelete() async {
        let server = FakeServer { _ in FakeServer.json(200, ["id": "key_01CI", "type": "api_key_deleted"]) }
        let result = await runCLI(["keys", "delete", "key_01CI"], server: server)
        #expect(result.calls == ["DELETE /v1/api_keys/key_01CI"])
        #expect(result.stdout == "deleted API key key_01CI\n")
    }
}
