import Foundation
import PaddockJSON
import Synchronization

/// What the network policy tests share, made once per test run: a real `paddock serve`
/// listening on every address (so that only the firewall keeps sessions from its API), the
/// ``InternetDouble``, and one running session per policy with ``SessionProbe`` copied in.
/// Removed when the test process exits.
struct NetworkWorld: Sendable {
    let server: ServerProcess
    let double: InternetDouble
    /// `allowlist: ["pypi.org", "files.pythonhosted.org"]`, the policy of network.md's bypass list.
    let allowlist: SessionHandle
    /// A second session of the same environment: "another session".
    let neighbour: SessionHandle
    /// `limited` without package managers.
    let limited: SessionHandle
    /// `limited` with `allow_package_managers: true`.
    let limitedWithManagers: SessionHandle
    /// `unrestricted`.
    let unrestricted: SessionHandle
    /// The address pypi.org resolves to, as the allowlist session's resolver answers it.
    let pypiAddress: String
    /// A TCP port the neighbour session listens on (a Python HTTP server).
    static let neighbourPort = 8000
    /// One of the host's own addresses (not loopback, not a session gateway), if it has one.
    let hostAddress: String?

    var apiPort: Int { server.port }

    /// The environments, by name.
    /// The allowlist environment also installs `dig` and `socat` (package layers are built
    /// on the host's network whatever the session's policy), the tools of the bypass attempts.
    static let environments: [(String, JSONValue)] = [
        ("net-allowlist", ["type": "allowlist", "domains": ["pypi.org", "files.pythonhosted.org"]]),
        ("net-limited", ["type": "limited", "allow_package_managers": false]),
        ("net-limited-pm", ["type": "limited", "allow_package_managers": true]),
        ("net-open", "unrestricted"),
    ]
    static let allowlistPackages: JSONValue = ["apt": ["dnsutils", "socat"]]

    private static let shared = Mutex<Task<NetworkWorld, any Error>?>(nil)
    private static let cleanup = Mutex<NetworkWorld?>(nil)

    /// The world, made on first use.
    static func get() async throws -> NetworkWorld {
        let task = shared.withLock { task in
            if let task { return task }
            let made = Task { try await make() }
            task = made
            return made
        }
        return try await task.value
    }

    private static func make() async throws -> NetworkWorld {
        let double = try InternetDouble()
        let data = try TemporaryDirectory.make()
        let server = try ServerProcess(dataDirectory: data, arguments: ["--listen", "0.0.0.0:0"])
        let client = APICall(port: server.port, key: server.adminKey)
        for (name, networking) in environments {
            var config: JSONObject = ["type": "cloud", "networking": networking]
            if name == "net-allowlist" { config["packages"] = allowlistPackages }
            let created = try await client.call("POST", "/v1/environments", ["name": .string(name), "config": .object(config)])
            guard created.status == 201 else { throw RawHTTP.Failure(description: "environment \(name): \(created.text)") }
        }
        func session(_ environment: String) async throws -> SessionHandle {
            let response = try await client.call("POST", "/v1/sessions", ["environment": .string(environment), "wait": true])
            guard response.status == 201, response["status"] == "running", let id = response["id"]?.stringValue else {
                throw RawHTTP.Failure(description: "session of \(environment): \(response.text)")
            }
            let handle = SessionHandle(id: id, client: client)
            try await handle.upload(SessionProbe.path, Array(SessionProbe.script.utf8))
            return handle
        }
        let allowlist = try await session("net-allowlist")
        let neighbour = try await session("net-allowlist")
        let world = NetworkWorld(
            server: server, double: double, allowlist: allowlist, neighbour: neighbour,
            limited: try await session("net-limited"), limitedWithManagers: try await session("net-limited-pm"),
            unrestricted: try await session("net-open"),
            pypiAddress: try await allowlist.shell("getent ahostsv4 pypi.org | head -n 1 | cut -d ' ' -f 1").stdout
                .trimmingCharacters(in: .whitespacesAndNewlines),
            hostAddress: Self.hostAddress())
        _ = try await neighbour.shell("nohup python3 -m http.server \(neighbourPort) --bind 0.0.0.0 >/dev/null 2>&1 &")
        cleanup.withLock { $0 = world }
        atexit { NetworkWorld.tearDown() }
        return world
    }

    /// Deletes the sessions, stops the server and removes the double (at process exit).
    private static func tearDown() {
        guard let world = cleanup.withLock({ $0.take() }) else { return }
        world.server.finish()
        world.double.remove()
    }

    /// The first address of the host's own interfaces: not loopback, not a session gateway of
    /// any server, not the double's link.
    private static func hostAddress() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return nil }
        defer { freeifaddrs(list) }
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            // Not a session gateway of any server (veths `pd…`) nor the double's link.
            let interface = String(cString: entry.pointee.ifa_name)
            if interface.hasPrefix("pd") || interface.hasPrefix("ptinet") || interface == "lo" { continue }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            var inet = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            inet_ntop(AF_INET, &inet, &text, socklen_t(text.count))
            let shown = String(cString: text)
            if ["127.", "10.203.", "10.213.", "10.214.", "198.51.100."].contains(where: shown.hasPrefix) { continue }
            return shown
        }
        return nil
    }
}

/// Calls to one server with one key; waits long (the first session may build the base image).
struct APICall: Sendable {
    let port: Int
    let key: String

    func call(_ method: String, _ path: String, _ body: JSONValue? = nil) async throws -> RawResponse {
        try await send(method, path, body: body.map { JSONWriter.bytes($0) }, contentType: "application/json")
    }

    func send(_ method: String, _ path: String, body: [UInt8]?, contentType: String) async throws -> RawResponse {
        var headers = [("authorization", "Bearer \(key)")]
        if body != nil { headers.append(("content-type", contentType)) }
        return try await RawHTTP.send(port: port, method, path, headers: headers, body: body, timeout: 1800)
    }
}

/// One session of the world, and the commands the tests run in it.
struct SessionHandle: Sendable {
    let id: String
    let client: APICall

    /// What an exec returned.
    struct Result: Sendable, CustomStringConvertible {
        let exitCode: Int
        let stdout: String
        let stderr: String
        var description: String { "exit \(exitCode), stdout \(stdout.debugDescription), stderr \(stderr.debugDescription)" }
    }

    /// Runs `command` (argv) and returns its result; throws when the API refuses.
    func run(_ command: [String], timeout: Int = 120) async throws -> Result {
        let response = try await client.call("POST", "/v1/sessions/\(id)/exec",
                                             ["command": .array(command.map { .string($0) }), "timeout_seconds": .number(JSONNumber(timeout))])
        guard response.status == 200 else { throw RawHTTP.Failure(description: "exec \(command): \(response.text)") }
        return Result(exitCode: response["exit_code"]?.numberValue?.intValue ?? -1,
                      stdout: response["stdout"]?.stringValue ?? "", stderr: response["stderr"]?.stringValue ?? "")
    }

    /// Runs `script` under `/bin/sh -c`.
    func shell(_ script: String, timeout: Int = 120) async throws -> Result {
        try await run(["/bin/sh", "-c", script], timeout: timeout)
    }

    /// `python3 /workspace/probe.py arguments…`: its one line of output (or its error text).
    func probe(_ arguments: String...) async throws -> String {
        let result = try await run(["python3", SessionProbe.path] + arguments)
        guard result.exitCode == 0 else { return "probe failed: \(result)" }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes a file into the session.
    func upload(_ path: String, _ contents: [UInt8]) async throws {
        let response = try await client.send("PUT", "/v1/sessions/\(id)/files?path=\(path)", body: contents,
                                             contentType: "application/octet-stream")
        guard (200..<300).contains(response.status) else { throw RawHTTP.Failure(description: "upload \(path): \(response.text)") }
    }

    /// The session's gateway: the nameserver of its resolv.conf.
    func gateway() async throws -> String {
        let text = try await run(["cat", "/etc/resolv.conf"]).stdout
        return text.split(separator: "\n").first { $0.hasPrefix("nameserver ") }.map { String($0.dropFirst(11)) } ?? ""
    }

    /// The session's own address (the source of its packets to the gateway).
    func address() async throws -> String {
        let gateway = try await gateway()
        let script = "import socket; s = socket.socket(2, 2); s.connect(('\(gateway)', 53)); print(s.getsockname()[0])"
        return try await run(["python3", "-c", script]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The audit events once one matches `wanted`: a connection is recorded when the gateway
    /// sees it end, which may come just after the client in the session has exited. Asks again
    /// for up to 10 s, then returns what there is.
    func egress(decision: String? = nil, once wanted: @Sendable (JSONValue) -> Bool) async throws -> [JSONValue] {
        for _ in 0..<50 {
            let events = try await egress(decision: decision)
            if events.contains(where: wanted) { return events }
            try await Task.sleep(for: .milliseconds(200))
        }
        return try await egress(decision: decision)
    }

    /// Every audit event of the session, oldest first (following the pages).
    func egress(decision: String? = nil) async throws -> [JSONValue] {
        var events: [JSONValue] = []
        var after: Int?
        while true {
            var path = "/v1/sessions/\(id)/egress?limit=100"
            if let decision { path += "&decision=\(decision)" }
            if let after { path += "&after_id=\(after)" }
            let page = try await client.call("GET", path)
            guard page.status == 200 else { throw RawHTTP.Failure(description: "egress: \(page.text)") }
            events += page["data"]?.arrayValue ?? []
            guard page["has_more"] == true, let last = page["last_id"]?.numberValue?.intValue else { return events }
            after = last
        }
    }
}
