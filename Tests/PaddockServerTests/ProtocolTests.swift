import Foundation
import PaddockJSON
import Testing

/// What bad requests get: a 4xx with the error object, never a 5xx, and the server lives on.
@Suite("HTTP protocol and bad input")
struct ProtocolTests {
    static func withServer(_ body: (TestServer) async throws -> Void) async throws {
        try await EnvironmentAPITests.withServer(body)
    }

    @Test("a missing, malformed or unknown key is 401; x-api-key works too")
    func authentication() async throws {
        try await Self.withServer { server in
            let none = try await RawHTTP.send(port: server.port, "GET", "/v1/environments")
            #expect(none.status == 401)
            #expect(none.errorType == "authentication_error")
            for header in [("authorization", "Bearer nope"), ("authorization", "Bearer pdk_" + String(repeating: "a", count: 43)),
                           ("x-api-key", "pdk_\u{0}"), ("authorization", "Basic Zm9vOmJhcg==")] {
                #expect(try await RawHTTP.send(port: server.port, "GET", "/v1/environments", headers: [header]).status == 401)
            }
            #expect(try await RawHTTP.send(port: server.port, "GET", "/v1/environments", headers: [("x-api-key", server.adminKey)]).status == 200)
        }
    }

    @Test("only an admin key creates accounts; keys are managed per account")
    func accountsAndKeys() async throws {
        try await Self.withServer { server in
            let key = try await server.makeAccount("team-a")
            #expect(try await server.call("POST", "/v1/accounts", ["name": "x"], key: key).status == 403)
            #expect(try await server.call("POST", "/v1/accounts", ["name": "team-a"]).status == 409)
            let me = try await server.call("GET", "/v1/accounts/me", key: key)
            #expect(me["name"] == "team-a")
            #expect(me["is_admin"] == false)
            let made = try await server.call("POST", "/v1/api_keys", ["name": "ci"], key: key)
            #expect(made.status == 201)
            let second = try #require(made["key"]?.stringValue)
            let secondID = try #require(made["api_key"]?.objectValue?["id"]?.stringValue)
            #expect(try await server.call("GET", "/v1/accounts/me", key: second)["name"] == "team-a")
            let list = try await server.call("GET", "/v1/api_keys", key: key)
            #expect(list["data"]?.arrayValue?.count == 2)
            #expect(!list.text.contains(second), "a key is shown only once")
            #expect(try await server.call("DELETE", "/v1/api_keys/\(secondID)", key: server.adminKey).status == 404)
            #expect(try await server.call("DELETE", "/v1/api_keys/\(secondID)", key: key).status == 200)
            #expect(try await server.call("GET", "/v1/accounts/me", key: second).status == 401, "a deleted key stops working at once")
            let lastID = try #require(try await server.call("GET", "/v1/api_keys", key: key)["data"]?.arrayValue?.first?.objectValue?["id"]?.stringValue)
            #expect(try await server.call("DELETE", "/v1/api_keys/\(lastID)", key: key).status == 409)
        }
    }

    @Test("malformed JSON is a 400 naming the byte offset")
    func malformedJSON() async throws {
        try await Self.withServer { server in
            let response = try await RawHTTP.send(port: server.port, "POST", "/v1/environments",
                                            headers: [("authorization", "Bearer \(server.adminKey)"), ("content-type", "application/json")],
                                            body: Array(#"{"name": "x",}"#.utf8))
            #expect(response.status == 400)
            #expect(response.errorMessage?.contains("byte 13") == true, "\(response.text)")
        }
    }

    @Test("hostile bodies are 400s", arguments: [
        Array(#"{"name": "x", "config": {"type": "cl"#.utf8),  // truncated
        [0x7B, 0x22, 0x6E, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D],  // invalid UTF-8
        Array(String(repeating: "[", count: 5000).utf8),
        Array(#"{"name": "x", "config": {"type": "cloud"}, "metadata": {"a": 1e999999}}"#.utf8),
        Array(#"{"name": "x", "name": "y", "config": {"type": "cloud"}}"#.utf8),
        Array("".utf8), Array("null".utf8), Array("[]".utf8), Array("\"x\"".utf8),
    ])
    func hostileBodies(body: [UInt8]) async throws {
        try await Self.withServer { server in
            let response = try await RawHTTP.send(port: server.port, "POST", "/v1/environments",
                                            headers: [("authorization", "Bearer \(server.adminKey)"), ("content-type", "application/json")],
                                            body: body)
            #expect((400...499).contains(response.status), "\(response.status) \(response.text)")
            #expect(response.errorType == "invalid_request_error")
            #expect(try await server.call("GET", "/healthz").status == 200)
        }
    }

    @Test("a JSON route without a JSON content type is 415")
    func contentType() async throws {
        try await Self.withServer { server in
            let response = try await RawHTTP.send(port: server.port, "POST", "/v1/environments",
                                            headers: [("authorization", "Bearer \(server.adminKey)"), ("content-type", "text/plain")],
                                            body: Array(#"{"name":"x","config":{"type":"cloud"}}"#.utf8))
            #expect(response.status == 415)
            #expect(response.errorType == "invalid_request_error")
        }
    }

    @Test("a body over 1 MiB is 413 and the server keeps serving")
    func tooLarge() async throws {
        try await Self.withServer { server in
            let body = Array(#"{"name":""#.utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20) + Array(#""}"#.utf8)
            let response = try await RawHTTP.send(port: server.port, "POST", "/v1/environments",
                                            headers: [("authorization", "Bearer \(server.adminKey)"), ("content-type", "application/json")],
                                            body: body)
            #expect(response.status == 413)
            #expect(response.errorType == "request_too_large")
            #expect(try await server.call("GET", "/healthz").status == 200)
        }
    }

    @Test("unknown routes are 404 and wrong methods 405 with an allow header")
    func routing() async throws {
        try await Self.withServer { server in
            let missing = try await server.call("GET", "/v1/nothing")
            #expect(missing.status == 404)
            #expect(missing.errorType == "not_found_error")
            let wrong = try await server.call("PUT", "/v1/environments")
            #expect(wrong.status == 405)
            #expect(wrong.errorType == "invalid_request_error")
            #expect(wrong.header("allow")?.contains("POST") == true)
            #expect(try await server.call("BREW", "/v1/environments").status == 405)
        }
    }

    @Test("healthz and openapi need no key; metrics are Prometheus text")
    func serviceRoutes() async throws {
        try await Self.withServer { server in
            let health = try await RawHTTP.send(port: server.port, "GET", "/healthz")
            #expect(health.json == ["status": "ok"])
            _ = try await server.call("GET", "/v1/environments")
            let metrics = try await RawHTTP.send(port: server.port, "GET", "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains(#"paddock_http_requests_total{method="GET",route="/v1/environments",status="200"} 1"#))
            #expect(metrics.text.contains("paddock_environments 1"))
        }
    }

    @Test("the OpenAPI document lists exactly the router's routes")
    func openAPIMatchesRouter() async throws {
        try await Self.withServer { server in
            let document = try await RawHTTP.send(port: server.port, "GET", "/v1/openapi.json")
            #expect(document.status == 200)
            let paths = try #require(document["paths"]?.objectValue)
            var documented: Set<String> = []
            for (path, item) in paths {
                for (method, _) in item.objectValue ?? JSONObject() { documented.insert("\(method.uppercased()) \(path)") }
            }
            let routed = Set(server.api.routes.map { "\($0.method) \($0.pattern)" })
            #expect(documented == routed, "only in the document: \(documented.subtracting(routed)); only in the router: \(routed.subtracting(documented))")
        }
    }

    @Test("ambiguous body framing is a 400 and nothing after it runs as a second request", arguments: [
        "content-length: 12\r\ncontent-length: 200\r\n",
        "content-length: 12\r\ntransfer-encoding: chunked\r\n",
        "transfer-encoding: xchunked\r\n",
    ])
    func smuggling(framing: String) async throws {
        try await Self.withServer { server in
            let inner = #"{"name":"SMUGGLED","config":{"type":"cloud"}}"#
            let smuggled = "POST /v1/environments HTTP/1.1\r\nhost: x\r\nauthorization: Bearer \(server.adminKey)\r\n"
                + "content-type: application/json\r\ncontent-length: \(inner.utf8.count)\r\n\r\n" + inner
            let request = "POST /v1/environments HTTP/1.1\r\nhost: x\r\nauthorization: Bearer \(server.adminKey)\r\n"
                + "content-type: application/json\r\n\(framing)\r\n" + #"{"name":"x"}"# + smuggled
            let response = try await RawHTTP.raw(port: server.port, Array(request.utf8))
            #expect(response.status == 400)
            #expect(response.errorType == "invalid_request_error")
            #expect(response.header("connection")?.lowercased() == "close")
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await server.call("GET", "/v1/environments?name=SMUGGLED")["data"] == [], "no request was smuggled")
        }
    }

    @Test("a metadata object with 60 000 keys is refused without looking at each")
    func hugeMetadata() async throws {
        try await Self.withServer { server in
            let metadata = JSONValue.object(JSONObject((0..<60_000).map { ("k\($0)", JSONValue.string("v")) }))
            let response = try await server.call("POST", "/v1/environments", ["name": "x", "config": ["type": "cloud"], "metadata": metadata])
            #expect(response.status == 400)
            #expect(response.errorParam == "metadata")
        }
    }

    @Test("a query parameter given twice, two API keys, or a non-UTF-8 charset are refused")
    func ambiguity() async throws {
        try await Self.withServer { server in
            let twice = try await server.call("GET", "/v1/environments?limit=1&limit=2")
            #expect(twice.status == 400)
            #expect(twice.errorParam == "limit")
            let other = try await server.makeAccount("other")
            let keys = try await RawHTTP.send(port: server.port, "GET", "/v1/environments",
                                              headers: [("authorization", "Bearer \(server.adminKey)"), ("x-api-key", other)])
            #expect(keys.status == 401)
            let latin1 = try await RawHTTP.send(port: server.port, "POST", "/v1/environments",
                                                headers: [("authorization", "Bearer \(server.adminKey)"),
                                                          ("content-type", "application/json; charset=latin-1")],
                                                body: Array(#"{"name":"x","config":{"type":"cloud"}}"#.utf8))
            #expect(latin1.status == 415)
        }
    }
}
