import Foundation
import PaddockJSON
import Testing

/// The Environments API over real sockets and a real SQLite file, rule by rule of `api.md`.
@Suite("environments API")
struct EnvironmentAPITests {
    static func withServer(_ body: (TestServer) async throws -> Void) async throws {
        let server = try await TestServer()
        do { try await body(server) } catch { await server.shutdown(); throw error }
        await server.shutdown()
    }

    static let dataScience: JSONValue = [
        "name": "data-science",
        "config": [
            "type": "cloud",
            "networking": ["type": "limited", "allow_package_managers": true],
            "packages": ["apt": ["jq"], "pip": ["pandas==2.1.0"], "npm": ["typescript@5.0.0"]],
        ],
    ]

    @Test("create returns 201 and the normalised object with every field")
    func createNormalises() async throws {
        try await Self.withServer { server in
            let response = try await server.call("POST", "/v1/environments", Self.dataScience)
            #expect(response.status == 201)
            let env = try #require(response.json.objectValue)
            #expect(env["id"]?.stringValue?.hasPrefix("env_") == true)
            #expect(env["type"] == "environment")
            #expect(env["status"] == "ready")
            #expect(env["description"] == .null)
            #expect(env["metadata"] == .object(JSONObject()))
            let config = try #require(env["config"]?.objectValue)
            #expect(config["networking"] == ["type": "limited", "allow_package_managers": true, "allowed_hosts": []])
            #expect(config["packages"] == ["apt": ["jq"], "pip": ["pandas==2.1.0"], "npm": ["typescript@5.0.0"]])
            #expect(config["setup_script"] == .null)
            #expect(env["created_at"] == env["updated_at"])
            #expect(response.header("request-id")?.hasPrefix("req_") == true)
        }
    }

    @Test("the string shorthand is accepted for unrestricted only", arguments: [
        (JSONValue.string("unrestricted"), 201), ("limited", 400), ("allowlist", 400), ("open", 400),
    ])
    func networkingShorthand(networking: JSONValue, status: Int) async throws {
        try await Self.withServer { server in
            let response = try await server.call("POST", "/v1/environments",
                                           ["name": "n", "config": ["type": "cloud", "networking": networking]])
            #expect(response.status == status)
            if status == 400 {
                #expect(response.errorType == "invalid_request_error")
                #expect(response.errorParam == "config.networking")
            } else {
                #expect(response["config"]?.objectValue?["networking"] == ["type": "unrestricted"])
            }
        }
    }

    @Test("an empty allowlist is accepted and means no network; hosts are normalised")
    func allowlist() async throws {
        try await Self.withServer { server in
            let empty = try await server.call("POST", "/v1/environments",
                                        ["name": "sealed", "config": ["type": "cloud", "networking": ["type": "allowlist", "domains": []]]])
            #expect(empty.status == 201)
            #expect(empty["config"]?.objectValue?["networking"] == ["type": "allowlist", "domains": []])
            let mixed = try await server.call("POST", "/v1/environments", ["name": "hosts", "config": [
                "type": "cloud", "networking": ["type": "allowlist", "domains": ["PyPI.org.", "bücher.de", "*.Example.com"]]]])
            #expect(mixed.status == 201)
            #expect(mixed["config"]?.objectValue?["networking"] == ["type": "allowlist", "domains": ["pypi.org", "xn--bcher-kva.de", "*.example.com"]])
        }
    }

    @Test("a bad host entry is a 400 naming the entry", arguments: ["https://pypi.org", "x.com/path", "*", "*.com", "com", "a..b"])
    func badHost(host: String) async throws {
        try await Self.withServer { server in
            let response = try await server.call("POST", "/v1/environments", ["name": "n", "config": [
                "type": "cloud", "networking": ["type": "allowlist", "domains": ["ok.example.com", .string(host)]]]])
            #expect(response.status == 400)
            #expect(response.errorParam == "config.networking.domains[1]")
        }
    }

    static let validationCases: [(JSONValue, String)] = [
        (["config": ["type": "cloud"]] as JSONValue, "name"),
        (["name": "", "config": ["type": "cloud"]], "name"),
        (["name": "x"], "config"),
        (["name": "x", "config": [:]], "config.type"),
        (["name": "x", "config": ["type": "docker"]], "config.type"),
        (["name": "x", "config": ["type": "cloud", "netwroking": "unrestricted"]], "config.netwroking"),
        (["name": "x", "nmae": "y", "config": ["type": "cloud"]], "nmae"),
        (["name": "x", "config": ["type": "cloud", "packages": ["brew": ["x"]]]], "config.packages.brew"),
        (["name": "x", "config": ["type": "cloud", "packages": ["pip": ["x; id"]]]], "config.packages.pip[0]"),
        (["name": "x", "config": ["type": "cloud", "packages": ["pip": ["six", "six"]]]], "config.packages.pip[1]"),
        (["name": "x", "config": ["type": "cloud", "packages": ["apt": ["-o"]]]], "config.packages.apt[0]"),
        (["name": "x", "config": ["type": "cloud", "packages": ["npm": ["../x"]]]], "config.packages.npm[0]"),
        (["name": "x", "config": ["type": "cloud", "packages": ["npm": [1]]]], "config.packages.npm[0]"),
        (["name": "x", "config": ["type": "cloud", "setup_script": 5]], "config.setup_script"),
        (["name": "x", "config": ["type": "cloud", "networking": ["type": "limited", "domains": []]]], "config.networking.domains"),
        (["name": "x", "config": ["type": "cloud", "networking": ["type": "allowlist"]]], "config.networking.domains"),
        (["name": "x", "description": 3, "config": ["type": "cloud"]], "description"),
        (["name": "x", "config": ["type": "cloud"], "metadata": ["k": 1]], "metadata.k"),
        (["name": "x", "config": ["type": "cloud"], "metadata": "no"], "metadata"),
        (["name": 12, "config": ["type": "cloud"]], "name"),
        (["name": "a\u{7}b", "config": ["type": "cloud"]], "name"),
        (["name": "  ", "config": ["type": "cloud"]], "name"),
        (["name": "invoice\u{202E}fdp.exe", "config": ["type": "cloud"]], "name"),
        (["name": "x", "config": ["type": "cloud", "networking": ["type": "limited", "allowed_hosts": ["a.com:8443"]]]], "config.networking.allowed_hosts[0]"),
        ]

    @Test("validation failures name the field", arguments: validationCases)
    func validation(body: JSONValue, param: String) async throws {
        try await Self.withServer { server in
            let response = try await server.call("POST", "/v1/environments", body)
            #expect(response.status == 400)
            #expect(response.errorType == "invalid_request_error")
            #expect(response.errorParam == param, "\(response.text)")
            #expect(response["request_id"]?.stringValue?.hasPrefix("req_") == true)
            let list = try await server.call("GET", "/v1/environments?name=x")
            #expect(list["data"] == [], "a refused create must write nothing")
        }
    }

    @Test("limits: 256-character names, 2048-character descriptions, 10 000-character scripts, 16 metadata pairs")
    func limits() async throws {
        let long = { (n: Int) in JSONValue.string(String(repeating: "a", count: n)) }
        let pairs = { (n: Int) in JSONValue.object(JSONObject((0..<n).map { ("k\($0)", JSONValue.string("v")) })) }
        let cloud: JSONValue = ["type": "cloud"]
        let cases: [(JSONValue, Int)] = [
            (["name": long(256), "config": cloud], 201),
            (["name": long(257), "config": cloud], 400),
            (["name": "d1", "description": long(2048), "config": cloud], 201),
            (["name": "d2", "description": long(2049), "config": cloud], 400),
            (["name": "s1", "config": ["type": "cloud", "setup_script": long(10_000)]], 201),
            (["name": "s2", "config": ["type": "cloud", "setup_script": long(10_001)]], 400),
            (["name": "m1", "config": cloud, "metadata": pairs(16)], 201),
            (["name": "m2", "config": cloud, "metadata": pairs(17)], 400),
            (["name": "m3", "config": cloud, "metadata": .object(JSONObject([(String(repeating: "k", count: 65), "v")]))], 400),
            (["name": "m4", "config": cloud, "metadata": ["k": long(513)]], 400),
            (["name": "p", "config": ["type": "cloud", "packages": ["pip": .array((0..<257).map { .string("pkg\($0)") })]]], 400),
        ]
        try await Self.withServer { server in
            for (body, expected) in cases {
                let status = try await server.call("POST", "/v1/environments", body).status
                #expect(status == expected, "\(JSONWriter.string(body).prefix(80))")
            }
        }
    }

    @Test("names are unique within an account and free across accounts")
    func uniqueNames() async throws {
        try await Self.withServer { server in
            #expect(try await server.call("POST", "/v1/environments", Self.dataScience).status == 201)
            let clash = try await server.call("POST", "/v1/environments", Self.dataScience)
            #expect(clash.status == 409)
            #expect(clash.errorType == "conflict_error")
            let other = try await server.makeAccount("other")
            #expect(try await server.call("POST", "/v1/environments", Self.dataScience, key: other).status == 201)
            let taken = try await server.call("POST", "/v1/environments", ["name": "default", "config": ["type": "cloud"]])
            #expect(taken.status == 409)
        }
    }

    @Test("every account has a default environment that can be updated but not deleted or renamed")
    func defaultEnvironment() async throws {
        try await Self.withServer { server in
            let key = try await server.makeAccount("team")
            let list = try await server.call("GET", "/v1/environments?name=default", key: key)
            let env = try #require(list["data"]?.arrayValue?.first?.objectValue)
            #expect(env["config"] == ["type": "cloud", "networking": ["type": "unrestricted"],
                                      "packages": ["apt": [], "pip": [], "npm": []], "setup_script": .null])
            let id = try #require(env["id"]?.stringValue)
            let delete = try await server.call("DELETE", "/v1/environments/\(id)", key: key)
            #expect(delete.status == 400)
            #expect(delete.errorMessage?.contains("default") == true)
            #expect(try await server.call("POST", "/v1/environments/\(id)", ["name": "renamed"], key: key).status == 400)
            let update = try await server.call("POST", "/v1/environments/\(id)", ["config": ["packages": ["apt": ["jq"]]]], key: key)
            #expect(update.status == 200)
            #expect(try await server.call("GET", "/v1/environments/\(id)", key: key).status == 200)
        }
    }

    @Test("another account's environment is 404 for every verb, never 403")
    func isolation() async throws {
        try await Self.withServer { server in
            let created = try await server.call("POST", "/v1/environments", Self.dataScience)
            let id = try #require(created["id"]?.stringValue)
            let other = try await server.makeAccount("intruder")
            for (method, body) in [("GET", nil), ("POST", ["name": "mine"]), ("PATCH", ["name": "mine"]), ("DELETE", nil)] as [(String, JSONValue?)] {
                let response = try await server.call(method, "/v1/environments/\(id)", body, key: other)
                #expect(response.status == 404, "\(method)")
                #expect(response.errorType == "not_found_error")
            }
            #expect(try await server.call("GET", "/v1/environments?name=data-science", key: other)["data"] == [])
            let still = try await server.call("GET", "/v1/environments/\(id)")
            #expect(still["name"] == "data-science")
        }
    }

    @Test("an update changes only the fields it names; updated_at moves, created_at does not")
    func partialUpdate() async throws {
        try await Self.withServer { server in
            let created = try await server.call("POST", "/v1/environments", [
                "name": "keep", "description": "first", "metadata": ["team": "data", "tier": "gold"],
                "config": ["type": "cloud", "packages": ["pip": ["six==1.16.0"]], "setup_script": "echo hi",
                           "networking": ["type": "allowlist", "domains": ["pypi.org"]]]])
            let id = try #require(created["id"]?.stringValue)
            try await Task.sleep(for: .milliseconds(5))
            let updated = try await server.call("PATCH", "/v1/environments/\(id)", [
                "config": ["packages": ["apt": ["jq"]]], "metadata": ["tier": .null, "owner": "ana"]])
            #expect(updated.status == 200)
            let env = try #require(updated.json.objectValue)
            #expect(env["name"] == "keep")
            #expect(env["description"] == "first")
            #expect(env["metadata"] == ["team": "data", "owner": "ana"])
            let config = try #require(env["config"]?.objectValue)
            #expect(config["packages"] == ["apt": ["jq"], "pip": [], "npm": []], "packages are replaced as a whole")
            #expect(config["setup_script"] == "echo hi")
            #expect(config["networking"] == ["type": "allowlist", "domains": ["pypi.org"]])
            #expect(env["created_at"] == created["created_at"])
            #expect(env["updated_at"] != created["updated_at"])
            #expect(try await server.call("GET", "/v1/environments/\(id)").json == updated.json)
            let noop = try await server.call("PATCH", "/v1/environments/\(id)", [:])
            #expect(noop["updated_at"] == updated["updated_at"], "an update that changes nothing does not move updated_at")
            let cleared = try await server.call("POST", "/v1/environments/\(id)", ["description": .null, "config": ["type": "cloud", "setup_script": .null]])
            #expect(cleared["description"] == .null)
            #expect(cleared["config"]?.objectValue?["setup_script"] == .null)
            let refused = try await server.call("POST", "/v1/environments/\(id)", ["config": ["networking": "limited"]])
            #expect(refused.status == 400)
            #expect(try await server.call("GET", "/v1/environments/\(id)").json == cleared.json, "a refused update changes nothing")
        }
    }

    @Test("delete removes the environment; a second delete is 404")
    func delete() async throws {
        try await Self.withServer { server in
            let id = try #require(try await server.call("POST", "/v1/environments", Self.dataScience)["id"]?.stringValue)
            let deleted = try await server.call("DELETE", "/v1/environments/\(id)")
            #expect(deleted.json == ["id": .string(id), "type": "environment_deleted"])
            #expect(try await server.call("GET", "/v1/environments/\(id)").status == 404)
            #expect(try await server.call("DELETE", "/v1/environments/\(id)").status == 404)
        }
    }

    @Test("walking 250 environments with limit=100 returns each exactly once, newest first, both ways")
    func pagination() async throws {
        try await Self.withServer { server in
            var made: [String] = []
            for i in 0..<249 {
                let r = try await server.call("POST", "/v1/environments", ["name": .string("env-\(i)"), "config": ["type": "cloud"]])
                made.append(try #require(r["id"]?.stringValue))
            }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let path = "/v1/environments?limit=100" + (cursor.map { "&after_id=\($0)" } ?? "")
                let page = try await server.call("GET", path)
                #expect(page.status == 200)
                let ids = page["data"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } ?? []
                seen += ids
                #expect(page["first_id"]?.stringValue == ids.first)
                #expect(page["last_id"]?.stringValue == ids.last)
                cursor = page["has_more"] == true ? ids.last : nil
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(seen.count == 250, "249 created plus the default one")
            #expect(Set(seen).count == 250)
            #expect(seen == seen.sorted(by: >), "newest first")
            #expect(Array(seen.prefix(249)) == made.reversed())
            // And back again from the last page with before_id.
            let back = try await server.call("GET", "/v1/environments?limit=100&before_id=\(seen[200])")
            #expect(back["data"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } == Array(seen[100..<200]))
            #expect(back["has_more"] == true)
        }
    }

    @Test("bad list parameters are 400s naming the parameter", arguments: [
        ("limit=0", "limit"), ("limit=101", "limit"), ("limit=abc", "limit"), ("after_id=nope", "after_id"),
        ("after_id=env_01JEX6Q0W5M3T9ZK8B7N2C4D6F&before_id=env_01JEX6Q0W5M3T9ZK8B7N2C4D6F", "before_id"), ("color=red", "color"),
    ])
    func badListParameters(query: String, param: String) async throws {
        try await Self.withServer { server in
            let response = try await server.call("GET", "/v1/environments?\(query)")
            #expect(response.status == 400)
            #expect(response.errorParam == param)
        }
    }

    @Test("100 concurrent clients creating and updating lose no write")
    func concurrentWriters() async throws {
        try await Self.withServer { server in
            let id = try #require(try await server.call("POST", "/v1/environments", ["name": "shared", "config": ["type": "cloud"]])["id"]?.stringValue)
            let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                for i in 0..<100 {
                    group.addTask {
                        let a = try await server.call("POST", "/v1/environments", ["name": .string("c-\(i)"), "config": ["type": "cloud"]])
                        let b = try await server.call("PATCH", "/v1/environments/\(id)", ["metadata": [.init(stringLiteral: "k\(i % 16)"): .string("v\(i)")]])
                        let c = try await server.call("POST", "/v1/environments/\(id)", ["description": .string("writer \(i)")])
                        return [a.status, b.status, c.status]
                    }
                }
                var all: [Int] = []
                for try await s in group { all += s }
                return all
            }
            #expect(statuses.count == 300)
            #expect(statuses.allSatisfy { $0 == 200 || $0 == 201 }, "\(Set(statuses))")
            let list = try await server.call("GET", "/v1/environments?limit=100")
            #expect(list["data"]?.arrayValue?.count == 100)
            let shared = try await server.call("GET", "/v1/environments/\(id)")
            #expect(shared["metadata"]?.objectValue?.count == 16, "each of the 16 keys written by someone survives")
        }
    }
}
