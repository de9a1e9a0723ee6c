import Foundation
import PaddockAgentProtocol
import PaddockCore
import PaddockHTTP
import PaddockJSON
import PaddockRuntime
import Synchronization

/// `/v1/sessions/{id}/exec` and `/v1/sessions/{id}/files`: work inside a running session.
struct SessionWorkController: Sendable {
    let service: SessionService
    let runtime: any SessionRuntime
    let settings: SessionSettings

    /// The largest file a `PUT …/files` accepts.
    static let maxUploadBytes = 64 << 20
    /// The largest exec request body (its `stdin` may be up to 8 MiB, escaped).
    static let maxExecBody = 24 << 20
    /// A streamed exec that printed nothing for this long sends a blank line.
    static let keepAliveSeconds = 2.0
    /// Paths that are kernel or Paddock mounts inside the container; the files routes do not
    /// reach them (what they show is not in the session's root filesystem).
    static let unreachablePrefixes = ["/proc", "/sys", "/dev", "/.paddock"]

    func addRoutes(to routes: inout RouteBuilder) {
        let controller = self
        routes.authenticated("POST", "/v1/sessions/{id}/exec") { request, caller in
            try request.checkQuery(allowed: [])
            let body = try SessionExecRequest(json: request.jsonBody())
            let streaming = (request.header("accept") ?? "").lowercased().contains("application/x-ndjson")
            return try await controller.exec(request.pathParameters["id"] ?? "", body, accountID: caller.accountID,
                                             streaming: streaming)
        }
        routes.authenticated("PUT", "/v1/sessions/{id}/files") { request, caller in
            try request.checkQuery(allowed: ["path", "mode"])
            let path = try Self.filePath(request)
            let mode = try request.query("mode").map(Self.mode)
            let id = request.pathParameters["id"] ?? ""
            try await controller.withWork(id, accountID: caller.accountID) {
                try await controller.runtime.writeFile(sessionID: id, path: path, contents: request.body, mode: mode)
            }
            return JSONResponse.make(.object([
                "type": "file", "path": .string(path.value), "size": .number(JSONNumber(request.body.count)),
            ]))
        }
        routes.authenticated("GET", "/v1/sessions/{id}/files") { request, caller in
            try request.checkQuery(allowed: ["path", "list"])
            let path = try Self.filePath(request)
            let id = request.pathParameters["id"] ?? ""
            if try request.queryBool("list") {
                let entries = try await controller.withWork(id, accountID: caller.accountID) {
                    try await controller.runtime.listDirectory(sessionID: id, path: path)
                }
                return JSONResponse.make(.object([
                    "path": .string(path.value),
                    "entries": .array(entries.map { entry in
                        .object(JSONObject([
                            ("name", .string(entry.name)), ("type", .string(entry.kind.rawValue)),
                            ("size", .number(JSONNumber(Int(entry.size)))),
                            ("mode", .string(String(entry.mode, radix: 8))),
                        ]))
                    }),
                ]))
            }
            let bytes = try await controller.withWork(id, accountID: caller.accountID) {
                try await controller.runtime.readFile(sessionID: id, path: path, limit: controller.settings.maxFileBytes)
            }
            return HTTPResponse(status: 200, contentType: "application/octet-stream", body: bytes)
        }
    }

    /// Runs one exec, answering with the whole result or, when `streaming`, with NDJSON events.
    func exec(_ id: String, _ body: SessionExecRequest, accountID: String, streaming: Bool) async throws -> HTTPResponse {
        let ticket = try await service.beginWork(id, accountID: accountID)
        let request: ExecRequest
        do {
            let timeout = min(body.timeoutSeconds, ticket.remainingSeconds)
            request = try Self.agentRequest(body, timeoutSeconds: timeout, cap: settings.maxOutputBytes)
        } catch {
            await service.endWork(ticket)
            throw error
        }
        let stdin = Array((body.stdin ?? "").utf8)
        let encoder = OutputEncoder(base64: body.base64Output)
        guard streaming else {
            let collected = Mutex(([UInt8](), [UInt8]()))
            let exit: ExecExit
            do {
                exit = try await runtime.exec(sessionID: id, request: request, stdin: stdin) { event in
                    switch event {
                    case .stdout(let bytes): collected.withLock { $0.0 += bytes }
                    case .stderr(let bytes): collected.withLock { $0.1 += bytes }
                    default: break
                    }
                }
            } catch {
                await service.endWork(ticket)
                throw error
            }
            await service.endWork(ticket)
            let (stdout, stderr) = collected.withLock { $0 }
            var result = ExecView.exit(exit)
            result.insert(("stdout", .string(encoder.whole(stdout))), at: 2)
            result.insert(("stderr", .string(encoder.whole(stderr))), at: 3)
            return JSONResponse.make(.object(JSONObject(result)))
        }

        let (stream, continuation) = HTTPBodyStream.makeStream()
        let runtime = self.runtime
        let service = self.service
        // A blank line after each quiet stretch: a client that went away is noticed on the next
        // write (its exec is then cancelled, which kills the command's process group).
        let lastWrite = Mutex(Date())
        let send: @Sendable ([UInt8]) -> Void = { bytes in
            lastWrite.withLock { $0 = Date() }
            continuation.yield(bytes)
        }
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(Self.keepAliveSeconds * 1e9))
                if Date().timeIntervalSince(lastWrite.withLock { $0 }) >= Self.keepAliveSeconds { send([UInt8(ascii: "\n")]) }
            }
        }
        let task = Task {
            defer { heartbeat.cancel() }
            let decoder = Mutex((UTF8Chunks(), UTF8Chunks()))
            do {
                let exit = try await runtime.exec(sessionID: id, request: request, stdin: stdin) { event in
                    switch event {
                    case .stdout(let bytes):
                        let text = decoder.withLock { encoder.chunk(bytes, &$0.0) }
                        if !text.isEmpty { send(ExecView.line(["type": "stdout", "data": .string(text)])) }
                    case .stderr(let bytes):
                        let text = decoder.withLock { encoder.chunk(bytes, &$0.1) }
                        if !text.isEmpty { send(ExecView.line(["type": "stderr", "data": .string(text)])) }
                    default: break
                    }
                }
                let (out, err) = decoder.withLock { ($0.0.flush(), $0.1.flush()) }
                if !out.isEmpty { continuation.yield(ExecView.line(["type": "stdout", "data": .string(out)])) }
                if !err.isEmpty { continuation.yield(ExecView.line(["type": "stderr", "data": .string(err)])) }
                continuation.yield(ExecView.line(.object(JSONObject([("type", "exit")] + ExecView.exit(exit)))))
            } catch {
                let failure = error as? PaddockError ?? PaddockError(.internal, "exec failed")
                let (status, type) = ErrorMapping.wire(failure.code)
                let message = failure.code == .internal ? "the exec failed inside the server (status \(status))" : failure.message
                continuation.yield(ExecView.line(["type": "error", "error": .object(["type": .string(type), "message": .string(message)])]))
            }
            await service.endWork(ticket)
            continuation.finish()
        }
        continuation.onTermination = { _ in
            task.cancel()
            heartbeat.cancel()
        }
        return HTTPResponse(status: 200, headers: [("content-type", "application/x-ndjson")], body: .stream(stream))
    }

    /// Runs a file call as session activity (404 / 409 unless running).
    private func withWork<T: Sendable>(_ id: String, accountID: String, _ body: () async throws -> T) async throws -> T {
        let ticket = try await service.beginWork(id, accountID: accountID)
        do {
            let result = try await body()
            await service.endWork(ticket)
            return result
        } catch {
            await service.endWork(ticket)
            throw error
        }
    }

    /// The agent's request for an API exec request.
    static func agentRequest(_ body: SessionExecRequest, timeoutSeconds: Double, cap: Int) throws -> ExecRequest {
        guard timeoutSeconds > 0 else {
            throw PaddockError(.conflict, "the session has no time left before its timeout_seconds; create a new session")
        }
        do {
            return try ExecRequest(argv: body.argv, cwd: body.cwd, env: body.env, user: body.user,
                                   stdinFollows: !(body.stdin ?? "").isEmpty,
                                   timeoutMs: max(1, Int((timeoutSeconds * 1000).rounded())),
                                   maxStdoutBytes: cap, maxStderrBytes: cap)
        } catch {
            throw PaddockError(.invalidArgument, "command: \(error)")
        }
    }

    /// The `path` query parameter, absolute, without `..`, and not inside a kernel mount.
    static func filePath(_ request: HTTPRequest) throws -> SessionPath {
        let path = try SessionPath(try required(request, "path"))
        if let prefix = unreachablePrefixes.first(where: { path.value == $0 || path.value.hasPrefix($0 + "/") }) {
            throw PaddockError.invalid("path", "\(prefix) is a kernel or Paddock mount inside the session, not a file in its root; use exec to read it")
        }
        return path
    }

    private static func required(_ request: HTTPRequest, _ name: String) throws -> String {
        guard let value = request.query(name) else {
            throw PaddockError(.invalidArgument, "query parameter '\(name)' is required, e.g. ?\(name)=/workspace/file.txt", param: name)
        }
        return value
    }

    /// An octal permission string such as `644` or `0755`.
    static func mode(_ text: String) throws -> UInt32 {
        guard !text.isEmpty, text.count <= 5, let value = UInt32(text, radix: 8), value <= 0o7777 else {
            throw PaddockError(.invalidArgument, "query parameter 'mode': '\(Shown.text(text))' is not an octal mode such as 644 or 0755",
                               param: "mode")
        }
        return value
    }
}

/// How exec output is put into JSON strings: UTF-8 text (invalid bytes replaced) or base64.
struct OutputEncoder: Sendable {
    let base64: Bool

    func whole(_ bytes: [UInt8]) -> String {
        base64 ? Data(bytes).base64EncodedString() : String(decoding: bytes, as: UTF8.self)
    }

    /// One streamed chunk; base64 chunks are independent, text chunks never split a character.
    func chunk(_ bytes: [UInt8], _ decoder: inout UTF8Chunks) -> String {
        base64 ? Data(bytes).base64EncodedString() : decoder.decode(bytes)
    }
}

/// The JSON of exec results.
enum ExecView {
    /// The fields describing how the command ended (api.md "Exec").
    static func exit(_ exit: ExecExit) -> [(String, JSONValue)] {
        [
            ("exit_code", .number(JSONNumber(exit.shellStatus))),
            ("signal", exit.signal.map { .number(JSONNumber($0)) } ?? .null),
            ("timed_out", .bool(exit.timedOut)),
            ("truncated", .bool(exit.stdoutTruncated || exit.stderrTruncated)),
            ("oom_killed", .bool(exit.oomKilled)),
            ("duration_ms", .number(JSONNumber(exit.durationMs))),
        ]
    }

    /// One NDJSON line.
    static func line(_ value: JSONValue) -> [UInt8] {
        JSONWriter.bytes(value) + [UInt8(ascii: "\n")]
    }
}
