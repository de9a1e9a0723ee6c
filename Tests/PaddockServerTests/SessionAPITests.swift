import Foundation
import PaddockJSON
import Testing

/// The sessions API's rules (api.md "Session object") over real sockets and SQLite, with a
/// fake runtime so that each rule is checked quickly and alone. The same routes run real
/// containers in `SessionEndToEndTests`.
@Suite("sessions API (fake runtime)")
struct SessionAPITests {
    static func withServer(_ body: (TestServer) async throws -> Void) async throws {
        let server = try await TestServer()
        do { try await body(server) } catch { await server.shutdown(); throw error }
        await server.shutdown()
    }

    /// Polls the session until its status is not `provisioning` (no time limit: a broken
    /// service fails the test by never answering otherwise, which the suite's runner reports).
    static func settled(_ server: TestServer, _ id: String, key: String? = nil) async throws -> RawResponse {
        while true {
            let response = try await server.call("GET", "/v1/sessions/\(id)", key: key)
            if response["status"] != "provisioning" { return response }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    static func createEnvironment(_ server: TestServer, _ name: String, pip: [JSONValue] = []) async throws -> String {
        let response = try await server.call("POST", "/v1/environments", [
            "name": .string(name), "config": ["type": "cloud", "packages": ["pip": .array(pip)]],
        ])
        return try #require(response["id"]?.stringValue)
    }

    @Test("create returns 201 at once with provisioning, then the session runs with its steps")
    func createAsync() async throws {
        try await Self.withServer { server in
            let envID = try await Self.createEnvironment(server, "py", pip: ["six==1.16.0"])
            let created = try await server.call("POST", "/v1/sessions", ["environment_id": .string(envID)])
            #expect(created.status == 201)
            #expect(created["type"] == "session")
            #expect(created["status"] == "provisioning")
            #expect(created["environment_id"] == .string(envID))
            #expect(created["environment"]?.objectValue?["name"] == "py")
            #expect(created["resources"] == ["cpus": 2, "memory_mb": 4096, "pids": 1024, "disk_mb": 10240])
            #expect(created["timeout_seconds"] == 3600)
            #expect(created["idle_timeout_seconds"] == 900)
            #expect(created["started_at"] == .null)
            let id = try #require(created["id"]?.stringValue)
            #expect(id.hasPrefix("sess_"))

            let running = try await Self.settled(server, id)
            #expect(running["status"] == "running")
            #expect(running["error"] == .null)
            #expect(running["started_at"]?.stringValue != nil)
            let steps = try #require(running["provisioning"]?.objectValue?["steps"]?.arrayValue)
            #expect(steps.map { $0.objectValue?["name"] } == ["base", "pip", "container"])
            #expect(steps.first?.objectValue?["status"] == "cached")
            #expect(steps[1].objectValue?["status"] == "built")
        }
    }

    @Test("wait: true answers only once the session runs; environment may be given by name")
    func createWait() async throws {
        try await Self.withServer { server in
            let created = try await server.call("POST", "/v1/sessions", ["environment": "default", "wait": true])
            #expect(created.status == 201)
            #expect(created["status"] == "running")
            #expect(created["environment"]?.objectValue?["name"] == "default")
        }
    }

    @Test("a failed step fails the session with the tool's error in error and in the log")
    func provisioningFailure() async throws {
        try await Self.withServer { server in
            _ = try await Self.createEnvironment(server, "broken", pip: ["fail==1"])
            let created = try await server.call("POST", "/v1/sessions", ["environment": "broken", "wait": true])
            #expect(created["status"] == "failed")
            let error = try #require(created["error"]?.objectValue)
            #expect(error["type"] == "provisioning_error")
            #expect(error["message"]?.stringValue?.contains("fail==1") == true)
            #expect(created["ended_at"]?.stringValue != nil)
            let id = try #require(created["id"]?.stringValue)
            let log = try await server.call("GET", "/v1/sessions/\(id)/logs")
            #expect(log.status == 200)
            #expect(log.header("content-type")?.hasPrefix("text/plain") == true)
            #expect(log.text.contains("fail==1"))
            let exec = try await server.call("POST", "/v1/sessions/\(id)/exec", ["command": ["true"]])
            #expect(exec.status == 409)
        }
    }

    @Test("unknown environments are 404, by id and by name; another account's too")
    func unknownEnvironment() async throws {
        try await Self.withServer { server in
            let byID = try await server.call("POST", "/v1/sessions", ["environment_id": "env_01JEX6Q0W5M3T9ZK8B7N2C4D6F"])
            #expect(byID.status == 404)
            let byName = try await server.call("POST", "/v1/sessions", ["environment": "nope"])
            #expect(byName.status == 404)
            #expect(byName.errorParam == "environment")
            let otherKey = try await server.makeAccount("other")
            let theirs = try await Self.createEnvironment(server, "mine")
            let foreign = try await server.call("POST", "/v1/sessions", ["environment_id": .string(theirs)], key: otherKey)
            #expect(foreign.status == 404)
        }
    }

    @Test("bad fields are 400 naming the field", arguments: [
        (#"{"environment": "default", "resources": {"memory_mb": 1}}"#, "resources.memory_mb"),
        (#"{"environment": "default", "timeout_seconds": 0}"#, "timeout_seconds"),
        (#"{"environment": "default", "env": {"BAD-NAME": "x"}}"#, "env"),
        (#"{"environment": "default", "env": {"LONG": "\#(String(repeating: "x", count: 40_000))"}}"#, "env.LONG"),
        (#"{"environment": "default", "netwroking": "x"}"#, "netwroking"),
        (#"{"environment": "default", "wait": "yes"}"#, "wait"),
    ])
    func badFields(bodyText: String, param: String) async throws {
        let body = try JSONParser.parse(Array(bodyText.utf8))
        try await Self.withServer { server in
            let response = try await server.call("POST", "/v1/sessions", body)
            #expect(response.status == 400)
            #expect(response.errorType == "invalid_request_error")
            #expect(response.errorParam?.hasPrefix(param) == true, "param \(String(describing: response.errorParam)) for \(param)")
        }
    }

    @Test("the config is a snapshot: updating or deleting the environment changes no session")
    func snapshot() async throws {
        try await Self.withServer { server in
            let envID = try await Self.createEnvironment(server, "snap", pip: ["six==1.16.0"])
            let first = try await server.call("POST", "/v1/sessions", ["environment_id": .string(envID), "wait": true])
            let id = try #require(first["id"]?.stringValue)
            let update = try await server.call("POST", "/v1/environments/\(envID)", ["config": ["packages": ["pip": ["six==1.15.0"]]]])
            #expect(update.status == 200)
            let again = try await server.call("GET", "/v1/sessions/\(id)")
            #expect(again["environment"]?.objectValue?["config"]?.objectValue?["packages"]?.objectValue?["pip"] == ["six==1.16.0"])
            let second = try await server.call("POST", "/v1/sessions", ["environment_id": .string(envID), "wait": true])
            #expect(second["environment"]?.objectValue?["config"]?.objectValue?["packages"]?.objectValue?["pip"] == ["six==1.15.0"])
            #expect(try await server.call("DELETE", "/v1/environments/\(envID)").status == 200)
            let afterDelete = try await server.call("GET", "/v1/sessions/\(id)")
            #expect(afterDelete["status"] == "running")
            #expect(afterDelete["environment"] == first["environment"])
        }
    }

    @Test("delete terminates, frees the runtime's parts, and is idempotent")
    func deleteIdempotent() async throws {
        try await Self.withServer { server in
            let created = try await server.call("POST", "/v1/sessions", ["environment": "default", "wait": true])
            let id = try #require(created["id"]?.stringValue)
            let deleted = try await server.call("DELETE", "/v1/sessions/\(id)")
            #expect(deleted.status == 200)
            #expect(deleted["status"] == "terminated")
            #expect(deleted["termination_reason"] == "deleted")
            #expect(deleted["ended_at"]?.stringValue != nil)
            #expect(server.runtime.terminated.contains(id))
            let again = try await server.call("DELETE", "/v1/sessions/\(id)")
            #expect(again.status == 200)
            #expect(again["ended_at"] == deleted["ended_at"])
            #expect(try await server.call("POST", "/v1/sessions/\(id)/exec", ["command": ["true"]]).status == 409)
            #expect(try await server.call("DELETE", "/v1/sessions/sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F").status == 404)
        }
    }

    @Test("deleting a provisioning session cancels it; follow streams the log until it ends")
    func deleteWhileProvisioning() async throws {
        try await Self.withServer { server in
            server.runtime.hold()
            let created = try await server.call("POST", "/v1/sessions", ["environment": "default"])
            let id = try #require(created["id"]?.stringValue)
            // The log so far is readable while provisioning runs.
            while !(try await server.call("GET", "/v1/sessions/\(id)/logs")).text.contains("waiting for the test") {
                try await Task.sleep(nanoseconds: 10_000_000)
            }
            async let followed = server.call("GET", "/v1/sessions/\(id)/logs?follow=true")
            let deleted = try await server.call("DELETE", "/v1/sessions/\(id)")
            #expect(deleted["status"] == "terminated")
            #expect(deleted["termination_reason"] == "deleted")
            #expect(server.runtime.liveSessions.isEmpty)
            let log = try await followed
            #expect(log.status == 200)
            #expect(log.text.contains("waiting for the test"))
        }
    }

    @Test("list is newest first with status and environment filters and cursors")
    func list() async throws {
        try await Self.withServer { server in
            let envID = try await Self.createEnvironment(server, "listed")
            var ids: [String] = []
            for _ in 0..<3 {
                let created = try await server.call("POST", "/v1/sessions", ["environment_id": .string(envID), "wait": true])
                ids.append(try #require(created["id"]?.stringValue))
            }
            _ = try await server.call("POST", "/v1/sessions", ["environment": "default", "wait": true])
            _ = try await server.call("DELETE", "/v1/sessions/\(ids[0])")
            let byEnv = try await server.call("GET", "/v1/sessions?environment_id=\(envID)")
            #expect(byEnv["data"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } == ids.reversed())
            let running = try await server.call("GET", "/v1/sessions?environment_id=\(envID)&status=running")
            #expect(running["data"]?.arrayValue?.count == 2)
            let page = try await server.call("GET", "/v1/sessions?limit=1&environment_id=\(envID)")
            #expect(page["has_more"] == true)
            let next = try await server.call("GET", "/v1/sessions?limit=5&environment_id=\(envID)&after_id=\(ids[2])")
            #expect(next["data"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } == [ids[1], ids[0]])
            #expect(try await server.call("GET", "/v1/sessions?status=sleeping").errorParam == "status")
            #expect(try await server.call("GET", "/v1/sessions?environment_id=nope").errorParam == "environment_id")
            let other = try await server.makeAccount("lister")
            #expect(try await server.call("GET", "/v1/sessions", key: other)["data"] == [])
            #expect(try await server.call("GET", "/v1/sessions/\(ids[1])", key: other).status == 404)
        }
    }

    @Test("exec answers with the result, or NDJSON events when asked; bad fields are 400")
    func exec() async throws {
        try await Self.withServer { server in
            let created = try await server.call("POST", "/v1/sessions", ["environment": "default", "wait": true])
            let id = try #require(created["id"]?.stringValue)
            let result = try await server.call("POST", "/v1/sessions/\(id)/exec", ["command": ["echo", "hi"]])
            #expect(result.status == 200)
            #expect(result["stdout"] == "echo hi")
            #expect(result["exit_code"] == 0)
            #expect(result["signal"] == .null)
            #expect(result["timed_out"] == false)
            #expect(result["truncated"] == false)
            let failing = try await server.call("POST", "/v1/sessions/\(id)/exec", ["command": ["exit", "3"]])
            #expect(failing.status == 200)
            #expect(failing["exit_code"] == 3)
            let shell = try await server.call("POST", "/v1/sessions/\(id)/exec", ["command": "ls | wc -l"])
            #expect(shell["stdout"] == "/bin/sh -c ls | wc -l")
            let encoded = try await server.call("POST", "/v1/sessions/\(id)/exec", ["command": ["x"], "encoding": "base64"])
            #expect(encoded["stdout"] == .string(Data("x".utf8).base64EncodedString()))

            let streamed = try await server.call("POST", "/v1/sessions/\(id)/exec", ["command": ["echo", "streamed"]],
                                                 headers: [("accept", "application/x-ndjson")])
            #expect(streamed.header("content-type") == "application/x-ndjson")
            let events = streamed.text.split(separator: "\n").compactMap { try? JSONParser.parse(Array($0.utf8)) }
            #expect(events.first?.objectValue?["type"] == "stdout")
            #expect(events.first?.objectValue?["data"] == "echo streamed")
            #expect(events.last?.objectValue?["type"] == "exit")
            #expect(events.last?.objectValue?["exit_code"] == 0)

            #expect(try await server.call("POST", "/v1/sessions/\(id)/exec", ["command": ["pwd"], "cwd": "relative"]).errorParam == "cwd")
            #expect(try await server.call("POST", "/v1/sessions/\(id)/exec", ["command": []]).errorParam == "command")
            #expect(try await server.call("POST", "/v1/sessions/\(id)/exec", ["command": ["pwd"], "cwd": "/proc/self/fd/7"]).status == 400)
            #expect(try await server.call("POST", "/v1/sessions/\(id)/exec", ["command": ["pwd"], "shell": true]).errorParam == "shell")
        }
    }

    @Test("files: PUT then GET the same bytes, list a directory, paths must be absolute without ..")
    func files() async throws {
        try await Self.withServer { server in
            let created = try await server.call("POST", "/v1/sessions", ["environment": "default", "wait": true])
            let id = try #require(created["id"]?.stringValue)
            let bytes = (0..<256).map { UInt8($0) }
            let put = try await RawHTTP.send(port: server.port, "PUT", "/v1/sessions/\(id)/files?path=/workspace/bin.dat&mode=0600",
                                             headers: [("authorization", "Bearer \(server.adminKey)"),
                                                       ("content-type", "application/octet-stream")], body: bytes)
            #expect(put.status == 200)
            #expect(put["size"] == 256)
            let get = try await server.call("GET", "/v1/sessions/\(id)/files?path=/workspace/bin.dat")
            #expect(get.status == 200)
            #expect(get.body == bytes)
            let listing = try await server.call("GET", "/v1/sessions/\(id)/files?path=/workspace&list=true")
            #expect(listing["entries"]?.arrayValue?.first?.objectValue?["name"] == "bin.dat")
            #expect(try await server.call("GET", "/v1/sessions/\(id)/files?path=../../etc/passwd").errorParam == "path")
            #expect(try await server.call("GET", "/v1/sessions/\(id)/files?path=/workspace/../../etc/passwd").errorParam == "path")
            #expect(try await server.call("GET", "/v1/sessions/\(id)/files").errorParam == "path")
            #expect(try await server.call("PUT", "/v1/sessions/\(id)/files?path=/x&mode=999").errorParam == "mode")
        }
    }

    @Test("timeout_seconds and idle_timeout_seconds end sessions with their reason")
    func timeouts() async throws {
        try await Self.withServer { server in
            let timed = try await server.call("POST", "/v1/sessions", ["environment": "default", "timeout_seconds": 1, "wait": true])
            let idle = try await server.call("POST", "/v1/sessions", ["environment": "default", "idle_timeout_seconds": 1, "wait": true])
            for (response, reason) in [(timed, "timeout"), (idle, "idle")] {
                let id = try #require(response["id"]?.stringValue)
                while try await server.call("GET", "/v1/sessions/\(id)")["status"] == "running" {
                    try await Task.sleep(nanoseconds: 100_000_000)
                }
                let ended = try await server.call("GET", "/v1/sessions/\(id)")
                #expect(ended["status"] == "terminated")
                #expect(ended["termination_reason"] == .string(reason))
                #expect(server.runtime.terminated.contains(id))
            }
        }
    }
}
