import Foundation
import PaddockCore
import PaddockJSON
import PaddockServer
import Testing

/// `GET /v1/sessions/{id}/egress` and the egress counters of `/metrics`, with events given to
/// the running server's `EgressLog` as the egress gateway gives them.
@Suite("egress audit API")
struct EgressAPITests {
    static func withServer(_ body: (TestServer) async throws -> Void) async throws {
        let server = try await TestServer()
        do { try await body(server) } catch { await server.shutdown(); throw error }
        await server.shutdown()
    }

    /// Creates a running session (fake runtime) with the key and returns its id.
    static func session(_ server: TestServer, key: String? = nil) async throws -> String {
        let created = try await server.call("POST", "/v1/sessions", ["environment": "default", "wait": true], key: key)
        #expect(created["status"] == "running")
        return try #require(created["id"]?.stringValue)
    }

    static func event(_ session: String, _ host: String, allowed: Bool = true, protocolName: EgressProtocol = .connect,
                      port: Int = 443) -> EgressEvent {
        EgressEvent(time: Date(timeIntervalSince1970: 1_796_315_974.5), sessionID: session, protocolName: protocolName, host: host,
                    port: port, address: allowed ? "203.0.113.7" : nil, allowed: allowed, reason: allowed ? nil : .hostNotAllowed,
                    bytesUp: allowed ? 120 : 0, bytesDown: allowed ? 4096 : 0, durationMs: allowed ? 35 : 0)
    }

    static func hosts(_ response: RawResponse) -> [String] {
        (response["data"]?.arrayValue ?? []).compactMap { $0.objectValue?["host"]?.stringValue }
    }

    @Test("the log shows each attempt of the session, oldest first, in the documented shape")
    func shape() async throws {
        try await Self.withServer { server in
            let id = try await Self.session(server)
            server.api.egressLog.record(Self.event(id, "pypi.org"))
            server.api.egressLog.record(Self.event(id, "deb.debian.org", allowed: false, protocolName: .transparentTLS))
            // No flush here: the route shows every attempt recorded before the request.
            let response = try await server.call("GET", "/v1/sessions/\(id)/egress")
            #expect(response.status == 200)
            let data = try #require(response["data"]?.arrayValue)
            try #require(data.count == 2)
            let first = try #require(data[0].objectValue)
            let firstID = try #require(first["id"]?.numberValue?.intValue)
            #expect(data[0] == [
                "id": .number(JSONNumber(firstID)), "session_id": .string(id), "time": "2026-12-03T16:39:34.500Z", "protocol": "connect",
                "host": "pypi.org", "port": 443, "address": "203.0.113.7", "decision": "allowed", "reason": .null,
                "bytes_up": 120, "bytes_down": 4096, "duration_ms": 35,
            ])
            let second = try #require(data[1].objectValue)
            #expect(second["protocol"] == "transparent-tls")
            #expect(second["decision"] == "denied")
            #expect(second["reason"] == "host_not_allowed")
            #expect(second["address"] == .null)
            let secondID = try #require(second["id"]?.numberValue?.intValue)
            #expect(secondID > firstID)
            #expect(response["has_more"] == false)
            #expect(response["first_id"] == .number(JSONNumber(firstID)))
            #expect(response["last_id"] == .number(JSONNumber(secondID)))
        }
    }

    @Test("a session without events has an empty page with a null cursor")
    func empty() async throws {
        try await Self.withServer { server in
            let id = try await Self.session(server)
            let response = try await server.call("GET", "/v1/sessions/\(id)/egress")
            #expect(response.json == ["data": [], "has_more": false, "first_id": .null, "last_id": .null])
        }
    }

    @Test("another account's session and an unknown session are 404; other sessions' events never show")
    func scoping() async throws {
        try await Self.withServer { server in
            let mine = try await Self.session(server)
            let otherKey = try await server.makeAccount("other")
            let theirs = try await Self.session(server, key: otherKey)
            server.api.egressLog.record(Self.event(mine, "mine.example.com"))
            server.api.egressLog.record(Self.event(theirs, "theirs.example.com"))
            let foreign = try await server.call("GET", "/v1/sessions/\(theirs)/egress")
            #expect(foreign.status == 404)
            #expect(foreign.errorType == "not_found_error")
            let unknown = try await server.call("GET", "/v1/sessions/sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F/egress")
            #expect(unknown.status == 404)
            #expect(Self.hosts(try await server.call("GET", "/v1/sessions/\(mine)/egress")) == ["mine.example.com"])
            #expect(Self.hosts(try await server.call("GET", "/v1/sessions/\(theirs)/egress", key: otherKey)) == ["theirs.example.com"])
            #expect(try await RawHTTP.send(port: server.port, "GET", "/v1/sessions/\(mine)/egress").status == 401)
        }
    }

    @Test("decision filters, and limit with after_id pages through the log")
    func filtersAndPages() async throws {
        try await Self.withServer { server in
            let id = try await Self.session(server)
            for n in 1...7 { server.api.egressLog.record(Self.event(id, "h\(n).example.com", allowed: n % 2 == 1)) }
            let denied = try await server.call("GET", "/v1/sessions/\(id)/egress?decision=denied")
            #expect(Self.hosts(denied) == ["h2.example.com", "h4.example.com", "h6.example.com"])
            let allowed = try await server.call("GET", "/v1/sessions/\(id)/egress?decision=allowed")
            #expect(Self.hosts(allowed) == ["h1.example.com", "h3.example.com", "h5.example.com", "h7.example.com"])

            var seen: [String] = []
            var after: JSONValue = .null
            var pages = 0
            while true {
                let query = after == .null ? "limit=3" : "limit=3&after_id=\(after.numberValue?.literal ?? "")"
                let page = try await server.call("GET", "/v1/sessions/\(id)/egress?\(query)")
                #expect(page.status == 200)
                seen += Self.hosts(page)
                pages += 1
                after = page["last_id"] ?? .null
                if page["has_more"] != true { break }
            }
            #expect(pages == 3)
            #expect(seen == (1...7).map { "h\($0).example.com" })

            let filteredPage = try await server.call("GET", "/v1/sessions/\(id)/egress?decision=denied&limit=2")
            #expect(Self.hosts(filteredPage) == ["h2.example.com", "h4.example.com"])
            #expect(filteredPage["has_more"] == true)
            let rest = try await server.call(
                "GET", "/v1/sessions/\(id)/egress?decision=denied&limit=2&after_id=\(filteredPage["last_id"]?.numberValue?.literal ?? "")")
            #expect(Self.hosts(rest) == ["h6.example.com"])
            #expect(rest["has_more"] == false)

            let defaultLimit = try await server.call("GET", "/v1/sessions/\(id)/egress")
            #expect(Self.hosts(defaultLimit).count == 7)
        }
    }

    @Test("bad, unknown and repeated query parameters are 400 naming the parameter", arguments: [
        ("limit=0", "limit"), ("limit=101", "limit"), ("limit=ten", "limit"), ("after_id=-1", "after_id"), ("after_id=abc", "after_id"), ("after=3", "after"),
        ("decision=maybe", "decision"), ("decision=DENIED", "decision"), ("status=running", "status"), ("limit=1&limit=2", "limit"),
    ])
    func badQuery(query: String, param: String) async throws {
        try await Self.withServer { server in
            let id = try await Self.session(server)
            let response = try await server.call("GET", "/v1/sessions/\(id)/egress?\(query)")
            #expect(response.status == 400)
            #expect(response.errorType == "invalid_request_error")
            #expect(response.errorParam == param)
        }
    }

    @Test("/metrics counts attempts by protocol and decision, and bytes by direction")
    func metrics() async throws {
        try await Self.withServer { server in
            let id = try await Self.session(server)
            let log = server.api.egressLog
            log.record(Self.event(id, "a.example.com"))
            log.record(Self.event(id, "b.example.com"))
            log.record(Self.event(id, "c.example.com", allowed: false))
            log.record(Self.event(id, "d.example.com", protocolName: .dns, port: 53))
            let text = try await RawHTTP.send(port: server.port, "GET", "/metrics").text
            #expect(text.contains("# TYPE paddock_egress_attempts_total counter\n"))
            #expect(text.contains(#"paddock_egress_attempts_total{protocol="connect",decision="allowed"} 2"# + "\n"))
            #expect(text.contains(#"paddock_egress_attempts_total{protocol="connect",decision="denied"} 1"# + "\n"))
            #expect(text.contains(#"paddock_egress_attempts_total{protocol="dns",decision="allowed"} 1"# + "\n"))
            #expect(text.contains(#"paddock_egress_attempts_total{protocol="transparent-http",decision="denied"} 0"# + "\n"))
            #expect(text.contains("# TYPE paddock_egress_bytes_total counter\n"))
            #expect(text.contains(#"paddock_egress_bytes_total{direction="up"} 360"# + "\n"))
            #expect(text.contains(#"paddock_egress_bytes_total{direction="down"} 12288"# + "\n"))
            #expect(text.contains("paddock_egress_events_dropped_total 0\n"))
        }
    }
}
