import Foundation
import PaddockCore
import PaddockJSON
import Testing

/// Thousands of random and malformed requests: none may get a 5xx, and the server must still
/// hold its data afterwards.
@Suite("fuzzing the API")
struct FuzzTests {
    static let seeds: [JSONValue] = [
        EnvironmentAPITests.dataScience,
        ["name": "x", "config": ["type": "cloud", "networking": ["type": "allowlist", "domains": ["pypi.org", "*.example.com"]],
                                 "setup_script": "echo hi"], "metadata": ["a": "b"]],
        ["description": .null, "metadata": ["a": .null], "config": ["packages": ["npm": ["@types/node@20"]]]],
        ["name": "acct"],
    ]
    static let strings: [JSONValue] = ["", "unrestricted", "limited", "allowlist", "cloud", "*", "*.com", "a..b", "-r /etc/passwd",
                                       "x; id", "$(id)", "../../etc/passwd", "\u{0}", "é", String(repeating: "z", count: 300).jsonValue,
                                       "pkg @ https://x/y.whl", "typescript@>=2 <5", "jq=1.6-2.1", "default"]
    static let keys = ["name", "config", "type", "networking", "packages", "apt", "pip", "npm", "domains", "allowed_hosts",
                       "allow_package_managers", "setup_script", "metadata", "description", "netwroking", "", "__proto__"]

    static func randomValue(_ rng: inout SplitMix64, depth: Int = 0) -> JSONValue {
        switch rng.next() % (depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(rng.next() % 2 == 0)
        case 2: return .number(JSONNumber(Int(truncatingIfNeeded: rng.next()) % 100_000))
        case 3, 4: return strings[Int(rng.next() % UInt64(strings.count))]
        case 5: return .array((0..<Int(rng.next() % 4)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var object = JSONObject()
            for _ in 0..<Int(rng.next() % 5) { object[keys[Int(rng.next() % UInt64(keys.count))]] = randomValue(&rng, depth: depth + 1) }
            return .object(object)
        }
    }

    static func mutate(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = bytes
        for _ in 0...(rng.next() % 4) where !b.isEmpty {
            let i = Int(rng.next() % UInt64(b.count))
            switch rng.next() % 4 {
            case 0: b[i] = UInt8(truncatingIfNeeded: rng.next())
            case 1: b.remove(at: i)
            case 2: b.insert(Array(#"{}[]",:\0"#.utf8)[Int(rng.next() % 9)], at: i)
            default: b = Array(b.prefix(i))
            }
        }
        return b
    }

    @Test("3000 random and malformed requests get no 5xx and the data survives")
    func noServerErrors() async throws {
        try await EnvironmentAPITests.withServer { server in
            let keeper = try await server.call("POST", "/v1/environments", EnvironmentAPITests.dataScience)
            let keeperID = try #require(keeper["id"]?.stringValue)
            var rng = SplitMix64(seed: 0xC0FFEE)
            let paths = ["/v1/environments", "/v1/environments/\(keeperID)", "/v1/environments/env_x", "/v1/accounts", "/v1/api_keys",
                         "/v1/accounts/me", "/v1/environments?limit=-1", "/v1/environments?after_id=%00", "/v1/%2e%2e/etc",
                         "/v1/environments?name=%FF%FE", "/healthz", "/v1/environments/", "//v1//environments", "/v1/api_keys/key_1"]
            let methods = ["GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "HEAD"]
            var serverErrors: [String] = []
            for i in 0..<3000 {
                let method = methods[Int(rng.next() % UInt64(methods.count))]
                let path = paths[Int(rng.next() % UInt64(paths.count))]
                var body: [UInt8]
                if i % 3 == 0 {
                    body = Self.mutate(JSONWriter.bytes(Self.seeds[Int(rng.next() % UInt64(Self.seeds.count))]), &rng)
                } else {
                    body = JSONWriter.bytes(Self.randomValue(&rng))
                }
                if method == "GET" || method == "HEAD" || method == "DELETE" { body = [] }
                let response = try await RawHTTP.send(port: server.port, method, path,
                                                headers: [("authorization", "Bearer \(server.adminKey)"), ("content-type", "application/json")],
                                                body: body)
                if response.status >= 500 {
                    serverErrors.append("\(method) \(path) \(String(decoding: body, as: UTF8.self)) -> \(response.status)")
                }
            }
            #expect(serverErrors.isEmpty, "\(serverErrors.prefix(5))")
            #expect(try await server.call("GET", "/healthz").status == 200)
            let after = try await server.call("GET", "/v1/environments/\(keeperID)")
            // The keeper may have been changed by valid fuzz updates, but it must still be readable and valid.
            #expect(after.status == 200 || after.status == 404)
            let store = server.store
            #expect(try await store.integrityCheck() == "ok")
        }
    }
}

extension String {
    var jsonValue: JSONValue { .string(self) }
}
