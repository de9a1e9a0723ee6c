import Foundation
import PaddockTestSupport
import PaddockCore
import PaddockJSON
import Testing

/// Sessions for real, through `paddock serve`: mmdebstrap's base image, package layers built
/// with apt and pip from Debian's mirror and PyPI, runc containers with paddock-init, exec and
/// files. One server for the suite so that later tests find the layers earlier ones built.
@Suite("sessions end to end (root, runc, network to Debian and PyPI)", .serialized)
final class SessionEndToEndTests {
    let directory: String
    let server: ServerProcess

    init() throws {
        directory = try TemporaryDirectory.make()
        server = try ServerProcess(dataDirectory: directory)
    }

    deinit {
        server.finish()
    }

    static let dataEnvironment: JSONValue = [
        "name": "data",
        "config": [
            "type": "cloud",
            // Debian's python3-six (1.16.0) is in the base image, so tomli-w proves pip installs.
            "packages": ["apt": ["jq"], "pip": ["six==1.16.0", "tomli-w==1.0.0"]],
            "setup_script": "echo configured-by-setup > /etc/paddock-setup-marker\n",
        ],
    ]

    func call(_ method: String, _ path: String, _ body: JSONValue? = nil, port: Int? = nil, key: String? = nil) async throws -> RawResponse {
        var headers = [("authorization", "Bearer \(key ?? server.adminKey)")]
        if body != nil { headers.append(("content-type", "application/json")) }
        // Long waits: the first create on a fresh machine builds the base image and the layers.
        return try await RawHTTP.send(port: port ?? server.port, method, path, headers: headers, body: body.map { JSONWriter.bytes($0) },
                                      timeout: 1800)
    }

    func createSession(_ environment: String, port: Int? = nil, key: String? = nil, extra: [(String, JSONValue)] = []) async throws -> RawResponse {
        let body = JSONValue.object(JSONObject([("environment", .string(environment)), ("wait", true)] + extra))
        let response = try await call("POST", "/v1/sessions", body, port: port, key: key)
        #expect(response.status == 201, "\(response.text)")
        return response
    }

    func exec(_ id: String, _ command: JSONValue, port: Int? = nil, key: String? = nil) async throws -> RawResponse {
        try await call("POST", "/v1/sessions/\(id)/exec", ["command": command], port: port, key: key)
    }

    static func steps(_ session: RawResponse) -> [String: String] {
        var steps: [String: String] = [:]
        for step in session["provisioning"]?.objectValue?["steps"]?.arrayValue ?? [] {
            if let name = step.objectValue?["name"]?.stringValue { steps[name] = step.objectValue?["status"]?.stringValue }
        }
        return steps
    }

    static func deleteAllSessions(port: Int, key: String) {
        guard let list = try? RawHTTP.sendBlocking(port: port, "GET", "/v1/sessions?limit=100&status=running",
                                                   headers: [("authorization", "Bearer \(key)")]) else { return }
        for session in list["data"]?.arrayValue ?? [] {
            if let id = session.objectValue?["id"]?.stringValue {
                _ = try? RawHTTP.sendBlocking(port: port, "DELETE", "/v1/sessions/\(id)", headers: [("authorization", "Bearer \(key)")])
            }
        }
    }

    @Test("apt, pip and a setup script: the session has jq, six 1.16.0 and the script's effect; a second session is all cached")
    func packagesAndCache() async throws {
        let environment = try await call("POST", "/v1/environments", Self.dataEnvironment)
        #expect(environment.status == 201)
        let first = try await createSession("data")
        #expect(first["status"] == "running", "\(first.text)")
        #expect(Self.steps(first).keys.sorted() == ["apt", "base", "container", "pip", "setup"])
        let id = try #require(first["id"]?.stringValue)

        let jq = try await exec(id, ["jq", "--version"])
        #expect(jq["exit_code"] == 0)
        #expect(jq["stdout"]?.stringValue?.hasPrefix("jq-") == true)
        let six = try await exec(id, ["python3", "-c", "import six; print(six.__version__)"])
        #expect(six["stdout"] == "1.16.0\n", "\(six.text)")
        let tomli = try await exec(id, ["python3", "-c", "import importlib.metadata as m, tomli_w; print(m.version('tomli-w'))"])
        #expect(tomli["stdout"] == "1.0.0\n", "\(tomli.text)")
        let marker = try await exec(id, ["cat", "/etc/paddock-setup-marker"])
        #expect(marker["stdout"] == "configured-by-setup\n")

        // A second session of the same environment, and one of another environment with the same
        // packages: no package manager runs, every layer is cached.
        let second = try await createSession("data")
        let steps = Self.steps(second)
        #expect(steps["apt"] == "cached" && steps["pip"] == "cached" && steps["setup"] == "cached", "\(steps)")
        let secondID = try #require(second["id"]?.stringValue)
        let log = try await call("GET", "/v1/sessions/\(secondID)/logs")
        #expect(!log.text.contains("Unpacking"), "apt ran again: \(log.text)")
        #expect(!log.text.contains("Successfully installed"), "pip ran again: \(log.text)")
        _ = try await call("POST", "/v1/environments", ["name": "data-twin", "config": [
            "type": "cloud", "packages": ["apt": ["jq"], "pip": ["six==1.16.0", "tomli-w==1.0.0"]]]])
        let twin = try await createSession("data-twin")
        #expect(Self.steps(twin)["apt"] == "cached" && Self.steps(twin)["pip"] == "cached")
        for session in [id, secondID, twin["id"]?.stringValue ?? ""] {
            #expect(try await call("DELETE", "/v1/sessions/\(session)")["status"] == "terminated")
        }
    }

    @Test("paddock run --env NAME prints six's version, the second time with every layer cached; exec and cp stream and copy")
    func cliRun() async throws {
        var environment = Self.dataEnvironment.objectValue ?? JSONObject()
        environment["name"] = "data-cli"
        #expect(try await call("POST", "/v1/environments", .object(environment)).status == 201)
        for round in 1...2 {
            let run = try paddock("run", "--env", "data-cli", "--", "python3", "-c", "import six; print(six.__version__)")
            #expect(run.code == 0, "\(run.stderr)")
            #expect(run.stdout == "1.16.0\n")
            let latest = try await call("GET", "/v1/sessions?limit=1")
            let session = try #require(latest["data"]?.arrayValue?.first?.objectValue)
            #expect(session["status"] == "terminated")
            if round == 2 {
                let steps = session["provisioning"]?.objectValue?["steps"]?.arrayValue ?? []
                let layers = steps.compactMap(\.objectValue).filter { ["apt", "pip", "setup"].contains($0["name"]?.stringValue ?? "") }
                #expect(layers.count == 3 && layers.allSatisfy { $0["status"] == "cached" }, "\(steps)")
            }
        }
        let created = try paddock("session", "create", "--env", "default", "--wait", "--json")
        let id = try #require(created.json.objectValue?["id"]?.stringValue)
        let failing = try paddock("exec", id, "--", "sh", "-c", "echo out; echo err >&2; exit 7")
        #expect(failing.code == 7)
        #expect(failing.stdout == "out\n")
        #expect(failing.stderr == "err\n")
        let local = directory + "/upload.bin"
        let bytes = Data((0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try bytes.write(to: URL(fileURLWithPath: local))
        #expect(try paddock("cp", local, "\(id):/workspace/upload.bin").code == 0)
        #expect(try paddock("cp", "\(id):/workspace/upload.bin", local + ".back").code == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: local + ".back")) == bytes)
        #expect(try paddock("session", "delete", id).code == 0)
    }

    struct CLIRun { let code: Int32; let stdout: String; let stderr: String; var json: JSONValue { (try? JSONParser.parse(Array(stdout.utf8))) ?? .null } }

    /// Runs the built `paddock` CLI against this suite's server, with the key from admin.key.
    func paddock(_ arguments: String...) throws -> CLIRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PADDOCK_URL"] = "http://127.0.0.1:\(server.port)"
        environment["PADDOCK_DATA"] = directory
        environment.removeValue(forKey: "PADDOCK_API_KEY")
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = PipeReading.readAll(out.fileHandleForReading)
        let stderr = PipeReading.readAll(err.fileHandleForReading)
        process.waitUntilExit()
        return CLIRun(code: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test("a pin that does not exist fails the session with pip's error in error and log; a later valid session works")
    func badPin() async throws {
        _ = try await call("POST", "/v1/environments", ["name": "bad-pin", "config": [
            "type": "cloud", "packages": ["pip": ["six==0.0.999"]]]])
        let failed = try await createSession("bad-pin")
        #expect(failed["status"] == "failed")
        let message = failed["error"]?.objectValue?["message"]?.stringValue ?? ""
        #expect(message.contains("six==0.0.999"), "\(message)")
        #expect(Self.steps(failed)["pip"] == "failed")
        let id = try #require(failed["id"]?.stringValue)
        let log = try await call("GET", "/v1/sessions/\(id)/logs")
        #expect(log.text.contains("No matching distribution found for six==0.0.999"), "\(log.text)")
        #expect(try await exec(id, ["true"]).status == 409)
        // Nothing of the failed session is left on disk.
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/sessions/\(id)"))

        let fine = try await createSession("default")
        #expect(fine["status"] == "running")
        let fineID = try #require(fine["id"]?.stringValue)
        #expect(try await exec(fineID, ["true"])["exit_code"] == 0)
        _ = try await call("DELETE", "/v1/sessions/\(fineID)")
    }

    @Test("updating the packages while a session runs changes only new sessions")
    func updateIsolation() async throws {
        let created = try await call("POST", "/v1/environments", ["name": "moving", "config": [
            "type": "cloud", "packages": ["pip": ["six==1.16.0"]]]])
        let envID = try #require(created["id"]?.stringValue)
        let old = try #require(try await createSession("moving")["id"]?.stringValue)
        let update = try await call("POST", "/v1/environments/\(envID)", ["config": ["packages": ["pip": ["six==1.15.0"]]]])
        #expect(update.status == 200)
        let new = try #require(try await createSession("moving")["id"]?.stringValue)
        let version = ["python3", "-c", "import six; print(six.__version__)"] as JSONValue
        #expect(try await exec(old, version)["stdout"] == "1.16.0\n")
        #expect(try await exec(new, version)["stdout"] == "1.15.0\n")
        #expect(try await call("GET", "/v1/sessions/\(old)")["environment"]?.objectValue?["config"]?
            .objectValue?["packages"]?.objectValue?["pip"] == ["six==1.16.0"])
        _ = try await call("DELETE", "/v1/sessions/\(old)")
        _ = try await call("DELETE", "/v1/sessions/\(new)")
    }

    @Test("exec through the API: exit 127, a 1.5 GiB allocation in 1 GiB is oom_killed while a neighbour lives")
    func execThroughAPI() async throws {
        let small = try #require(try await createSession("default", extra: [("resources", ["memory_mb": 1024])])["id"]?.stringValue)
        let neighbour = try #require(try await createSession("default")["id"]?.stringValue)
        let missing = try await exec(small, ["no-such-program"])
        #expect(missing.status == 200)
        #expect(missing["exit_code"] == 127)
        let oom = try await exec(small, ["python3", "-c", "b = bytearray(1536 * 1024 * 1024); print(len(b))"])
        #expect(oom["exit_code"] == 137, "\(oom.text)")
        #expect(oom["oom_killed"] == true)
        #expect(try await exec(small, ["echo", "alive"])["stdout"] == "alive\n")
        #expect(try await exec(neighbour, ["echo", "alive"])["stdout"] == "alive\n")
        #expect(try await call("GET", "/healthz").status == 200)
        let bad = try await call("POST", "/v1/sessions/\(small)/exec", ["command": ["pwd"], "cwd": "/proc/self/fd/7"])
        #expect(bad.status == 400)
        #expect(bad.errorParam == "cwd")
        _ = try await call("DELETE", "/v1/sessions/\(small)")
        _ = try await call("DELETE", "/v1/sessions/\(neighbour)")
    }

    @Test("a streamed exec whose client hangs up is cancelled: its command is killed")
    func hangUpKillsCommand() async throws {
        let id = try #require(try await createSession("default")["id"]?.stringValue)
        let body = JSONWriter.bytes(["command": ["sleep", "300"]])
        let request = Array("""
            POST /v1/sessions/\(id)/exec HTTP/1.1\r
            host: 127.0.0.1\r
            authorization: Bearer \(server.adminKey)\r
            content-type: application/json\r
            accept: application/x-ndjson\r
            content-length: \(body.count)\r
            \r

            """.utf8) + body
        let head = try await RawHTTP.hangUpAfterHead(port: server.port, request)
        #expect(String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        // The server notices the closed connection at its next keep-alive line and cancels the exec.
        var running = true
        for _ in 0..<60 where running {
            try await Task.sleep(nanoseconds: 500_000_000)
            let ps = try await exec(id, ["ps", "-eo", "args"])
            running = ps["stdout"]?.stringValue?.contains("sleep 300") ?? true
        }
        #expect(!running, "sleep 300 still runs 30 s after its client went away")
        _ = try await call("DELETE", "/v1/sessions/\(id)")
    }

    @Test("files: binary round trip; a symlink to /etc/shadow planted inside reads the session's file, never the host's")
    func files() async throws {
        let id = try #require(try await createSession("default")["id"]?.stringValue)
        let bytes = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let put = try await RawHTTP.send(port: server.port, "PUT", "/v1/sessions/\(id)/files?path=/workspace/data.bin",
                                         headers: [("authorization", "Bearer \(server.adminKey)")], body: bytes)
        #expect(put.status == 200)
        #expect(try await call("GET", "/v1/sessions/\(id)/files?path=/workspace/data.bin").body == bytes)
        let sum = try await exec(id, ["sha256sum", "/workspace/data.bin"])
        #expect(sum["stdout"]?.stringValue?.hasPrefix(SHA256.hex(bytes)) == true)

        _ = try await exec(id, ["sh", "-c", "ln -s /etc/shadow /workspace/evil && echo session-secret > /etc/shadow"])
        let read = try await call("GET", "/v1/sessions/\(id)/files?path=/workspace/evil")
        #expect(read.text == "session-secret\n")
        let host = try String(contentsOfFile: "/etc/shadow", encoding: .utf8)
        #expect(read.text != host)
        #expect(try await call("GET", "/v1/sessions/\(id)/files?path=../../etc/passwd").status == 400)
        _ = try await call("DELETE", "/v1/sessions/\(id)")
    }

    @Test("kill -9 the server with two running sessions: a new server adopts both; a leftover without a session is removed")
    func restartAdopts() async throws {
        let data = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let first = try ServerProcess(dataDirectory: data)
        let key = first.adminKey
        var ids: [String] = []
        for _ in 0..<3 {
            ids.append(try #require(try await createSession("default", port: first.port, key: key)["id"]?.stringValue))
        }
        first.kill9()
        // The third session's row disappears: its container, mounts and directory are leftovers now.
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = ["\(data)/paddock.db", "DELETE FROM sessions WHERE id = '\(ids[2])'"]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)

        let second = try ServerProcess(dataDirectory: data)
        defer { second.finish() }
        for id in ids.prefix(2) {
            let session = try await call("GET", "/v1/sessions/\(id)", port: second.port, key: key)
            #expect(session["status"] == "running")
            #expect(try await exec(id, ["echo", "adopted"], port: second.port, key: key)["stdout"] == "adopted\n")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(data)/sessions/\(ids[2])"))
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains(ids[2]))
        #expect(!FileManager.default.fileExists(atPath: "\(data)/runc/\(ids[2])"))
    }
}

