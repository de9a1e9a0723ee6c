import Testing
import PaddockJSON
@testable import PaddockCLI

@Suite("session egress")
struct SessionEgressTests {
    static let sessionID = "sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F"

    static func event(_ id: Int, host: String, decision: String, reason: JSONValue = .null) -> JSONValue {
        ["id": .number(JSONNumber(id)), "time": .string("2026-12-04T10:00:0\(id)Z"), "protocol": "connect", "host": .string(host),
         "port": 443, "address": .null, "decision": .string(decision), "reason": reason, "bytes_up": 0, "bytes_down": 0,
         "duration_ms": 1]
    }

    static func page(_ events: [JSONValue], hasMore: Bool) -> JSONValue {
        return ["data": .array(events), "has_more": .bool(hasMore), "first_id": events.first?["id"] ?? .null,
                "last_id": events.last?["id"] ?? .null]
    }

    @Test("one page with the filters given, shown as a table; more pages are pointed at")
    func onePage() async {
        let server = FakeServer { _ in
            FakeServer.json(200, Self.page([Self.event(1, host: "deb.debian.org", decision: "denied", reason: "host_not_allowed")],
                                           hasMore: true))
        }
        let result = await runCLI(["session", "egress", Self.sessionID, "--decision", "denied", "--limit", "1"], server: server)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.calls == ["GET /v1/sessions/\(Self.sessionID)/egress?limit=1&decision=denied"])
        #expect(result.stdout.contains("deb.debian.org"))
        #expect(result.stdout.contains("host_not_allowed"))
        #expect(result.stderr.contains("--after 1"))
    }

    @Test("--all follows the cursor to the end; --json prints every event as one page")
    func allPages() async throws {
        let server = FakeServer { request in
            request.path.contains("after_id=1")
                ? FakeServer.json(200, Self.page([Self.event(2, host: "pypi.org", decision: "allowed")], hasMore: false))
                : FakeServer.json(200, Self.page([Self.event(1, host: "deb.debian.org", decision: "denied")], hasMore: true))
        }
        let result = await runCLI(["session", "egress", Self.sessionID, "--all", "--json"], server: server)
        #expect(result.calls == ["GET /v1/sessions/\(Self.sessionID)/egress", "GET /v1/sessions/\(Self.sessionID)/egress?after_id=1"])
        let printed = try JSONParser.parse(result.stdout)
        #expect(printed["data"]?.arrayValue?.count == 2)
        #expect(printed["has_more"] == false)
        #expect(printed["first_id"] == 1)
        #expect(printed["last_id"] == 2)
    }

    @Test("a bad decision is a usage error naming the choices")
    func badDecision() async {
        let result = await runCLI(["session", "egress", Self.sessionID, "--decision", "maybe"], server: FakeServer { _ in FakeServer.json(200, [:]) })
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("allowed"))
        #expect(result.calls.isEmpty)
    }
}
