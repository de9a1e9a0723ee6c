import PaddockJSON
import Testing
@testable import PaddockCore

/// Parses JSON text for a test table.
func requestJSON(_ text: String) throws -> JSONValue {
    try JSONParser.parse(Array(text.utf8))
}

/// Asserts that `body` fails with a 400 naming `param`, and returns the error.
@discardableResult
func expectInvalidRequest(_ param: String, sourceLocation: SourceLocation = #_sourceLocation,
                           _ body: () throws -> some Any) -> PaddockError? {
    do {
        let value = try body()
        Issue.record("accepted: \(value)", sourceLocation: sourceLocation)
        return nil
    } catch let error as PaddockError {
        #expect(error.code == .invalidArgument, sourceLocation: sourceLocation)
        #expect(error.param == param, "\(error.message)", sourceLocation: sourceLocation)
        #expect(!error.message.contains("\n"), "\(error.message)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

private let envID = "env_01JEX6Q0W5M3T9ZK8B7N2C4D6F"
private let sessionID = "sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F"

@Suite("session create requests")
struct SessionCreateRequestTests {
    private func parse(_ fields: String) throws -> SessionCreateRequest {
        try SessionCreateRequest.parse(requestJSON("{\"environment_id\": \"\(envID)\"\(fields.isEmpty ? "" : ", " + fields)}"))
    }

    @Test("an environment id alone gives every default")
    func defaults() throws {
        let request = try parse("")
        #expect(request.environment == .id(envID))
        #expect(request.environmentID == envID)
        #expect(request.environmentName == nil)
        #expect(request.resources == SessionResourceRequest.default)
        #expect(request.resources.cpus == 2)
        #expect(request.resources.memoryMB == 4096)
        #expect(request.resources.pids == 1024)
        #expect(request.resources.diskMB == 10240)
        #expect(request.env.isEmpty)
        #expect(request.timeoutSeconds == 3600 && request.timeoutSeconds == SessionCreateRequest.defaultTimeoutSeconds)
        #expect(request.idleTimeoutSeconds == 900 && request.idleTimeoutSeconds == SessionCreateRequest.defaultIdleTimeoutSeconds)
        #expect(request.metadata == Metadata())
        #expect(request.wait == false)
    }

    @Test("every field set")
    func everyField() throws {
        let request = try parse("""
            "resources": {"cpus": 0.5, "memory_mb": 512, "pids": 64, "disk_mb": 2048},
            "env": {"FOO": "bar", "_x1": ""}, "timeout_seconds": 60, "idle_timeout_seconds": 0,
            "metadata": {"team": "ml"}, "wait": true
            """)
        #expect(request.resources == (try SessionResourceRequest(cpus: 0.5, memoryMB: 512, pids: 64, diskMB: 2048)))
        #expect(request.env.map(\.name) == ["FOO", "_x1"])
        #expect(request.env.map(\.value) == ["bar", ""])
        #expect(request.timeoutSeconds == 60)
        #expect(request.idleTimeoutSeconds == 0)
        #expect(request.metadata.pairs.map(\.key) == ["team"])
        #expect(request.wait)
    }

    @Test("an environment name instead of an id")
    func byName() throws {
        let request = try SessionCreateRequest.parse(requestJSON(#"{"environment": "data-science"}"#))
        #expect(request.environment == .name("data-science"))
        #expect(request.environmentName == "data-science")
        #expect(request.environmentID == nil)
    }

    @Test("the environment: exactly one of environment_id and environment, each well formed", arguments: [
        (#"{}"#, "environment_id"),
        (#"{"environment_id": "\#(envID)", "environment": "x"}"#, "environment"),
        (#"{"environment_id": "data-science"}"#, "environment_id"),
        (#"{"environment_id": "sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F"}"#, "environment_id"),
        (#"{"environment_id": 7}"#, "environment_id"),
        (#"{"environment_id": null}"#, "environment_id"),
        (#"{"environment": ""}"#, "environment"),
        (#"{"environment": "a\u0007b"}"#, "environment"),
        (#"{"environment": ["default"]}"#, "environment"),
    ])
    func environmentRules(body: String, param: String) throws {
        let value = try requestJSON(body)
        expectInvalidRequest(param) { try SessionCreateRequest.parse(value) }
    }

    @Test("unknown fields are refused by name", arguments: [
        (#"{"environment_id": "\#(envID)", "timeout": 5}"#, "timeout"),
        (#"{"environment_id": "\#(envID)", "resources": {"cpu": 1}}"#, "resources.cpu"),
        (#"{"environment_id": "\#(envID)", "resources": {"memory": 1}}"#, "resources.memory"),
    ])
    func unknownFields(body: String, param: String) throws {
        let value = try requestJSON(body)
        let error = expectInvalidRequest(param) { try SessionCreateRequest.parse(value) }
        #expect(error?.message.contains("unknown field") == true)
    }

    @Test("the body must be an object", arguments: ["[]", "null", "\"env\"", "3"])
    func notAnObject(body: String) throws {
        let value = try requestJSON(body)
        do {
            _ = try SessionCreateRequest.parse(value)
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.param == nil)
        }
    }

    @Test("resource bounds, each side ±1", arguments: [
        ("cpus", "0.05", true), ("cpus", "0.04", false), ("cpus", "0.049", false), ("cpus", "64", true),
        ("cpus", "64.01", false), ("cpus", "65", false), ("cpus", "0", false), ("cpus", "-1", false), ("cpus", "1e400", false),
        ("memory_mb", "64", true), ("memory_mb", "63", false), ("memory_mb", "65536", true), ("memory_mb", "65537", false),
        ("pids", "32", true), ("pids", "31", false), ("pids", "32768", true), ("pids", "32769", false),
        ("disk_mb", "64", true), ("disk_mb", "63", false), ("disk_mb", "102400", true), ("disk_mb", "102401", false),
    ])
    func resourceBounds(field: String, literal: String, accepted: Bool) throws {
        let value = try requestJSON(#"{"environment_id": "\#(envID)", "resources": {"\#(field)": \#(literal)}}"#)
        if accepted {
            let resources = try SessionCreateRequest.parse(value).resources
            let number = try #require(JSONNumber(literal: literal))
            switch field {
            case "cpus": #expect(resources.cpus == number.doubleValue)
            case "memory_mb": #expect(resources.memoryMB == number.intValue)
            case "pids": #expect(resources.pids == number.intValue)
            default: #expect(resources.diskMB == number.intValue)
            }
        } else {
            let error = expectInvalidRequest("resources.\(field)") { try SessionCreateRequest.parse(value) }
            #expect(error?.message.contains("out of range; use") == true, "\(error?.message ?? "")")
        }
    }

    @Test("resource fields of the wrong type are refused by name", arguments: [
        #"{"cpus": "2"}"#, #"{"cpus": null}"#, #"{"memory_mb": 4096.5}"#, #"{"memory_mb": "4096"}"#, #"{"pids": true}"#,
        #"{"disk_mb": [1]}"#,
    ])
    func resourceTypes(resources: String) throws {
        let value = try requestJSON(#"{"environment_id": "\#(envID)", "resources": \#(resources)}"#)
        let field = try #require(requestJSON(resources).objectValue?.keys.first)
        expectInvalidRequest("resources.\(field)") { try SessionCreateRequest.parse(value) }
    }

    @Test("resources must be an object", arguments: ["null", "2", "[]", #""big""#])
    func resourcesShape(resources: String) throws {
        let value = try requestJSON(#"{"environment_id": "\#(envID)", "resources": \#(resources)}"#)
        expectInvalidRequest("resources") { try SessionCreateRequest.parse(value) }
    }

    @Test("timeout bounds, each side ±1", arguments: [
        ("timeout_seconds", "1", true), ("timeout_seconds", "0", false), ("timeout_seconds", "86400", true),
        ("timeout_seconds", "86401", false), ("timeout_seconds", "-5", false), ("timeout_seconds", "1.5", false),
        ("timeout_seconds", "\"60\"", false), ("timeout_seconds", "null", false),
        ("idle_timeout_seconds", "0", true), ("idle_timeout_seconds", "1", true), ("idle_timeout_seconds", "-1", false),
        ("idle_timeout_seconds", "86400", true), ("idle_timeout_seconds", "86401", false),
        ("idle_timeout_seconds", "true", false),
    ])
    func timeoutBounds(field: String, literal: String, accepted: Bool) throws {
        let value = try requestJSON(#"{"environment_id": "\#(envID)", "\#(field)": \#(literal)}"#)
        if accepted {
            let request = try SessionCreateRequest.parse(value)
            let seconds = field == "timeout_seconds" ? request.timeoutSeconds : request.idleTimeoutSeconds
            #expect(seconds == Int(literal))
        } else {
            expectInvalidRequest(field) { try SessionCreateRequest.parse(value) }
        }
    }

    @Test("wait must be a boolean", arguments: ["1", "\"true\"", "null"])
    func waitType(literal: String) throws {
        let value = try requestJSON(#"{"environment_id": "\#(envID)", "wait": \#(literal)}"#)
        expectInvalidRequest("wait") { try SessionCreateRequest.parse(value) }
    }

    @Test("metadata follows the environment rules", arguments: [
        (#"{"k": 1}"#, "metadata.k"), (#"[]"#, "metadata"), (#"{"k": null}"#, "metadata.k"),
        (#"{"\#(String(repeating: "k", count: 65))": "v"}"#, "metadata.\(String(repeating: "k", count: 65))"),
        (#"{"k": "\#(String(repeating: "v", count: 513))"}"#, "metadata.k"),
    ])
    func metadataRules(metadata: String, param: String) throws {
        let value = try requestJSON(#"{"environment_id": "\#(envID)", "metadata": \#(metadata)}"#)
        expectInvalidRequest(param) { try SessionCreateRequest.parse(value) }
    }

    @Test("too much metadata is refused")
    func metadataCount() throws {
        let pairs = (0..<17).map { "\"k\($0)\": \"v\"" }.joined(separator: ", ")
        let value = try requestJSON(#"{"environment_id": "\#(envID)", "metadata": {\#(pairs)}}"#)
        expectInvalidRequest("metadata") { try SessionCreateRequest.parse(value) }
    }

    @Test("the memberwise initializer validates like the parser")
    func memberwise() throws {
        let request = try SessionCreateRequest(environment: .name("web"), env: [("A", "1")], timeoutSeconds: 10)
        #expect(request.timeoutSeconds == 10)
        #expect(request.idleTimeoutSeconds == 900)
        expectInvalidRequest("timeout_seconds") { try SessionCreateRequest(environment: .name("web"), timeoutSeconds: 0) }
        expectInvalidRequest("idle_timeout_seconds") { try SessionCreateRequest(environment: .name("web"), idleTimeoutSeconds: 86401) }
        expectInvalidRequest("environment_id") { try SessionCreateRequest(environment: .id("env_short")) }
        expectInvalidRequest("env.1X") { try SessionCreateRequest(environment: .name("web"), env: [("1X", "v")]) }
        expectInvalidRequest("resources.cpus") { try SessionResourceRequest(cpus: 0.01) }
        expectInvalidRequest("resources.memory_mb") { try SessionResourceRequest(memoryMB: 65537) }
        expectInvalidRequest("resources.pids") { try SessionResourceRequest(pids: 31) }
        expectInvalidRequest("resources.disk_mb") { try SessionResourceRequest(diskMB: 63) }
    }

    @Test("the wire form parses back to the same request")
    func roundTrip() throws {
        let request = try parse("""
            "resources": {"cpus": 1.5, "memory_mb": 128}, "env": {"B": "2", "A": "1"}, "timeout_seconds": 5,
            "idle_timeout_seconds": 7, "metadata": {"x": "y"}, "wait": true
            """)
        #expect(try SessionCreateRequest.parse(request.json) == request)
        #expect(SessionResourceRequest.default.json == (try requestJSON(#"{"cpus": 2, "memory_mb": 4096, "pids": 1024, "disk_mb": 10240}"#)))
    }
}

@Suite("session env objects")
struct EnvironmentVariablesTests {
    private func parse(_ env: String) throws -> [EnvironmentVariables.Pair] {
        try EnvironmentVariables.parse(requestJSON(env), param: "env")
    }

    @Test("valid names, kept in order", arguments: ["A", "_", "a_B9", "PATH", "_1", String(repeating: "N", count: 256)])
    func validNames(name: String) throws {
        let pairs = try parse(#"{"\#(name)": "v", "Z": "w"}"#)
        #expect(pairs.map(\.name) == [name, "Z"])
    }

    @Test("invalid names are refused, naming env.NAME", arguments: [
        "1A", "A-B", "A B", "A=B", "Ä", "A.B", "", "A\\u0000", "A\\n", "$A", String(repeating: "N", count: 257),
    ])
    func invalidNames(name: String) throws {
        let value = try requestJSON(#"{"\#(name)": "v"}"#)
        let key = try #require(value.objectValue?.keys.first)
        expectInvalidRequest("env.\(key)") { try EnvironmentVariables.parse(value, param: "env") }
    }

    @Test("values: 32 KiB is the limit, NUL and non-strings are refused")
    func values() throws {
        let limit = String(repeating: "x", count: 32 * 1024)
        #expect(try parse(#"{"BIG": "\#(limit)"}"#).first?.value == limit)
        let error = expectInvalidRequest("env.BIG") { try parse(#"{"BIG": "\#(limit)x"}"#) }
        #expect(error?.message.hasPrefix("env.BIG: is 32769 bytes long") == true, "\(error?.message ?? "")")
        // Multi-byte characters count in bytes.
        expectInvalidRequest("env.WIDE") { try parse(#"{"WIDE": "\#(String(repeating: "é", count: 16 * 1024 + 1))"}"#) }
        expectInvalidRequest("env.NUL") { try parse(#"{"NUL": "a\u0000b"}"#) }
        expectInvalidRequest("env.N") { try parse(#"{"N": 1}"#) }
        expectInvalidRequest("env.N") { try parse(#"{"N": null}"#) }
        #expect(try parse(#"{"LINES": "a\nb\tc"}"#).first?.value == "a\nb\tc")
    }

    @Test("at most 128 variables")
    func count() throws {
        let pairs = { (n: Int) in "{" + (0..<n).map { "\"V\($0)\": \"x\"" }.joined(separator: ", ") + "}" }
        #expect(try parse(pairs(128)).count == 128)
        expectInvalidRequest("env") { try parse(pairs(129)) }
    }

    @Test("env must be an object", arguments: ["[]", "null", #""A=B""#])
    func shape(env: String) throws {
        expectInvalidRequest("env") { try parse(env) }
    }

    @Test("an error message shows control characters escaped")
    func escaped() throws {
        let error = expectInvalidRequest("env.A\u{1B}[31m") { try parse(#"{"A\u001b[31m": "v"}"#) }
        #expect(error?.message.contains("\u{1B}") == false)
        #expect(error?.message.contains("\\u{1B}") == true)
    }
}

@Suite("session list queries")
struct SessionListQueryTests {
    @Test("no parameters: the first page of 20, unfiltered")
    func defaults() throws {
        let query = try SessionListQuery.parse([])
        #expect(query == SessionListQuery())
        #expect(query.limit == 20 && query.afterID == nil && query.beforeID == nil && query.status == nil && query.environmentID == nil)
    }

    @Test("every parameter")
    func every() throws {
        let query = try SessionListQuery.parse([("limit", "100"), ("after_id", sessionID), ("status", "running"),
                                                ("environment_id", envID)])
        #expect(query.limit == 100)
        #expect(query.afterID == sessionID)
        #expect(query.status == .running)
        #expect(query.environmentID == envID)
        #expect(try SessionListQuery.parse([("before_id", sessionID), ("limit", "1")]).beforeID == sessionID)
    }

    @Test("every status is a filter", arguments: SessionStatus.allCases)
    func statuses(status: SessionStatus) throws {
        #expect(try SessionListQuery.parse([("status", status.rawValue)]).status == status)
    }

    @Test("bad values name the parameter", arguments: [
        ("limit", "0"), ("limit", "101"), ("limit", "ten"), ("limit", ""), ("after_id", envID), ("before_id", "sess_x"),
        ("status", "Running"), ("status", "deleted"), ("environment_id", sessionID), ("environment_id", "default"),
    ])
    func badValues(name: String, value: String) {
        expectInvalidRequest(name) { try SessionListQuery.parse([(name, value)]) }
    }

    @Test("unknown, repeated and conflicting parameters")
    func badParameters() {
        expectInvalidRequest("name") { try SessionListQuery.parse([("name", "x")]) }
        expectInvalidRequest("limit") { try SessionListQuery.parse([("limit", "1"), ("limit", "2")]) }
        expectInvalidRequest("before_id") { try SessionListQuery.parse([("after_id", sessionID), ("before_id", sessionID)]) }
    }
}
