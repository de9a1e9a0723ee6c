import Foundation
import Synchronization
import PaddockAgentProtocol
import PaddockCore

/// ``SessionRuntime`` on this machine: overlayfs root filesystems over the cached layers,
/// runc containers with paddock-init as PID 1, exec through its socket, file reads and
/// listings through the host view of the root filesystem (confined to it), file writes as an
/// exec inside the session. See ``SessionLayout`` for what lives where below
/// `<data>/sessions/<id>/`; runc keeps its state in `<data>/runc` unless given another runtime.
///
/// An actor: it holds the table of served sessions and of provisionings under way. Slow work
/// (building, runc, waiting for the agent, exec, file I/O) runs outside it, so operations on
/// different sessions proceed concurrently. Operations on one session are expected to be
/// serialised by the caller (runtime.md, "Lifecycle and recovery"), except that execs and
/// file calls may overlap; `terminate` during provisioning cancels it and cleans up.
public actor LocalSessionRuntime: SessionRuntime {
    /// The data directory (absolute, standardised).
    public nonisolated let dataDirectory: URL
    let machinery: SessionMachinery
    /// Sessions being served: provisioned here, or adopted by ``reconcile(live:)``.
    var sessions: [String: SessionRecord] = [:]
    /// Provisionings under way.
    var provisioning: [String: Task<SessionProvisioning.Outcome, any Error>] = [:]
    /// Terminations under way, so that a second call waits for the first.
    var terminating: [String: Task<Void, Never>] = [:]

    /// Creates the runtime and its directories (`<data>/sessions`, and `<data>/runc` for the
    /// default runtime).
    ///
    /// - Parameters:
    ///   - dataDirectory: absolute; its path must not contain `,` or `:` (overlayfs options).
    ///   - baseImages: provides the base image below every session.
    ///   - layers: the layer cache; layers of live sessions are pinned in it.
    ///   - layerBuilder: builds a layer that is not cached.
    ///   - runtime: runs the containers; nil means `Runc(root: <data>/runc)`.
    ///   - initBinary: the host path of the built `paddock-init` (statically linked).
    ///   - networking: the network seam; ``IsolatedNetworking`` gives sessions no network.
    ///   - mirrors: the package sources, part of every layer key.
    ///   - diagnostics: receives clean-up problems nobody else hears of (stderr by default).
    public init(dataDirectory: URL, baseImages: BaseImageBuilder, layers: LayerStore, layerBuilder: any LayerBuilding,
                runtime: (any ContainerRuntime)? = nil, initBinary: String,
                networking: any SessionNetworking = IsolatedNetworking(), mirrors: MirrorSettings = .standard,
                diagnostics: @escaping @Sendable (String) -> Void = LocalSessionRuntime.standardErrorLog) throws(PaddockError) {
        let data = dataDirectory.standardizedFileURL
        try ContainerPath.requireAbsolute(data.path, "data_directory")
        if data.path.contains(",") || data.path.contains(":") {
            throw .invalid("data_directory", "\(data.path) contains ',' or ':', which overlayfs mount options cannot carry")
        }
        try ContainerPath.requireAbsolute(initBinary, "init_binary")
        guard FileManager.default.isExecutableFile(atPath: initBinary) else {
            throw PaddockError(.invalidArgument, "paddock-init is not an executable file at \(initBinary); build it first (swift build)",
                               param: "init_binary")
        }
        let sessionsDirectory = data.appendingPathComponent(SessionLayout.sessionsName).path
        try ImageFiles.makeDirectory(data.path)
        try ImageFiles.makeDirectory(sessionsDirectory)
        let containers: any ContainerRuntime
        if let runtime {
            containers = runtime
        } else {
            let root = data.appendingPathComponent("runc").path
            try ImageFiles.makeDirectory(root)
            containers = try Runc(root: root)
        }
        self.dataDirectory = data
        machinery = SessionMachinery(
            sessionsDirectory: sessionsDirectory, baseImages: baseImages, layers: layers, layerBuilder: layerBuilder,
            containers: containers, initBinary: initBinary, networking: networking, mirrors: mirrors,
            diagnostics: diagnostics)
    }

    /// Writes a line to the server's stderr.
    public static let standardErrorLog: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data("paddock runtime: \(line)\n".utf8))
    }

    /// The ids of the sessions served now.
    public var servedSessions: Set<String> { Set(sessions.keys) }

    // MARK: - Provisioning and termination

    /// Provisions `launch` (see ``SessionRuntime/provision(_:observer:)``). Throws
    /// `invalidArgument` for an unusable id or resources and `conflict` for an id in use
    /// before anything is made; ``ProvisioningFailure`` when a step fails; `CancellationError`
    /// when the calling task is cancelled or the session is terminated meanwhile.
    public func provision(_ launch: SessionLaunch, observer: any ProvisioningObserver) async throws -> RunningSession {
        try Self.validate(launch)
        let id = launch.sessionID
        guard let layout = machinery.layout(id) else {
            throw PaddockError.invalid("session_id", "'\(id)' must be 1-64 of letters, digits, '_', '-', '.'")
        }
        guard sessions[id] == nil, provisioning[id] == nil, terminating[id] == nil else {
            throw PaddockError(.conflict, "session \(id) exists already")
        }
        let job = SessionProvisioning(launch: launch, layout: layout, machinery: machinery, observer: observer)
        let task = Task.detached { try await job.run() }
        provisioning[id] = task
        let outcome = await withTaskCancellationHandler {
            await task.result
        } onCancel: {
            task.cancel()
        }
        // `terminate` takes the task out of the table when it ends the session meanwhile.
        guard provisioning[id] == task else { throw CancellationError() }
        provisioning[id] = nil
        let provisioned = try outcome.get()
        sessions[id] = provisioned.record
        return provisioned.session
    }

    /// Ends the session and removes everything it held; cancels a provisioning under way.
    /// Idempotent; problems are logged to `diagnostics`.
    public func terminate(sessionID: String) async {
        guard let layout = machinery.layout(sessionID) else { return }
        if let running = terminating[sessionID] {
            await running.value
            return
        }
        let provisioningTask = provisioning.removeValue(forKey: sessionID)
        let record = sessions.removeValue(forKey: sessionID)
        let machinery = machinery
        let task = Task.detached {
            var pinned = record?.layers ?? []
            if let provisioningTask {
                provisioningTask.cancel()
                if case .success(let outcome) = await provisioningTask.result { pinned += outcome.record.layers }
            }
            let outcome = await machinery.removeSession(layout)
            for problem in outcome.problems { machinery.diagnostics("terminating session \(sessionID): \(problem)") }
            for key in pinned { await machinery.layers.unpin(key) }
        }
        terminating[sessionID] = task
        await task.value
        terminating[sessionID] = nil
    }

    /// Whether the session is served and its container runs.
    public func isAlive(sessionID: String) async -> Bool {
        guard sessions[sessionID] != nil else { return false }
        let answer: Result<ContainerState?, PaddockError>
        do { answer = .success(try await machinery.containers.state(id: sessionID)) } catch { answer = .failure(error) }
        if case .failure(let error) = answer {
            machinery.diagnostics("cannot tell whether session \(sessionID) runs, taken as alive: \(error.message)")
        }
        return Self.isAlive(answer)
    }

    /// What `runc state` says about a session's liveness: gone or not running is dead; no answer
    /// at all (runc could not even start, e.g. the host is out of descriptors) is alive, so
    /// that a busy host never ends sessions whose containers still run.
    static func isAlive(_ state: Result<ContainerState?, PaddockError>) -> Bool {
        switch state {
        case .success(let state): state?.status == .running
        case .failure: true
        }
    }

    // MARK: - Exec and files

    /// Runs `request` in the session with the session's environment below the request's own
    /// variables (see ``SessionRuntime/exec(sessionID:request:stdin:onEvent:)``). `stdin`,
    /// when not empty, is sent even if the request did not say `stdinFollows`.
    public nonisolated func exec(sessionID: String, request: ExecRequest, stdin: [UInt8],
                                 onEvent: @escaping @Sendable (AgentEvent) -> Void) async throws(PaddockError) -> ExecExit {
        let (layout, record) = try await served(sessionID)
        let full: ExecRequest
        do {
            let overridden = Set(request.env.map(\.name))
            full = try ExecRequest(
                argv: request.argv, cwd: request.cwd,
                env: record.environment.filter { !overridden.contains($0.name) } + request.env,
                user: request.user, stdinFollows: request.stdinFollows || !stdin.isEmpty, timeoutMs: request.timeoutMs,
                maxStdoutBytes: request.maxStdoutBytes, maxStderrBytes: request.maxStderrBytes)
        } catch {
            throw Self.paddockError(error, sessionID: sessionID)
        }
        switch await AgentExecCall.run(runDirectory: layout.run, request: full, stdin: stdin, onEvent: onEvent) {
        case .success(let exit):
            return exit
        case .failure(.cancelled):
            throw PaddockError(.internal, "exec in session \(sessionID) was cancelled")
        case .failure(.agent(let error)) where error.code == .invalidArgument:
            throw Self.paddockError(error, sessionID: sessionID)
        case .failure(.agent(let error)), .failure(.connect(let error)):
            // A connection that fails or breaks because the session ended is the caller's
            // conflict (terminated meanwhile, or its container died), not a server fault.
            if await !isAlive(sessionID: sessionID) {
                throw PaddockError(.conflict, "session \(sessionID) is not running any more (terminated, or its container stopped)")
            }
            throw Self.paddockError(error, sessionID: sessionID)
        }
    }

    /// Reads a regular file of the session, following symlinks inside it.
    public nonisolated func readFile(sessionID: String, path: SessionPath, limit: Int) async throws(PaddockError) -> [UInt8] {
        guard limit >= 0 else { throw .invalid("limit", "must not be negative") }
        let files = try await rootFiles(sessionID)
        return try await BlockingWork.run { () throws(PaddockError) in try files.read(path, limit: limit) }
    }

    /// Writes a file of the session atomically, making missing parent directories (0755);
    /// `mode` must be permission bits (at most 0777). The write runs inside the session
    /// (`paddock-init --write-file`, as root), so its pages are charged to the session's memory
    /// and disk, never to the server, and its path resolves in the session's own root.
    public nonisolated func writeFile(sessionID: String, path: SessionPath, contents: [UInt8], mode: UInt32?) async throws(PaddockError) {
        let mode = mode ?? 0o644
        guard mode <= 0o777 else { throw .invalid("mode", "must be permission bits between 0 and 0777") }
        let request: ExecRequest
        do {
            request = try ExecRequest(argv: [SessionLayout.initBinaryPath, "--write-file", path.value, "--mode", String(mode, radix: 8)],
                                      cwd: "/", user: "0", stdinFollows: true, timeoutMs: Self.writeTimeoutMs,
                                      maxStdoutBytes: 4096, maxStderrBytes: 4096)
        } catch {
            throw Self.paddockError(error, sessionID: sessionID)
        }
        let stderr = Mutex<[UInt8]>([])
        let exit = try await exec(sessionID: sessionID, request: request, stdin: contents) { event in
            if case .stderr(let bytes) = event { stderr.withLock { $0 += bytes } }
        }
        guard exit.exitCode != 0 else { return }
        let message = String(decoding: stderr.withLock { $0 }, as: UTF8.self)
        if let code = Self.writeErrno(message) {
            throw SessionRootFiles.failure(code, path.value, sessionID: sessionID)
        }
        if exit.oomKilled {
            throw PaddockError(.tooLarge, "session \(sessionID) ran out of memory writing \(path.value); use a larger memory_mb",
                               param: "path")
        }
        throw PaddockError(.internal, "cannot write \(path.value) in session \(sessionID): "
            + (message.isEmpty ? "the writer ended with \(exit.exitCode.map { "status \($0)" } ?? "a signal")" : message))
    }

    /// How long a file write may take inside the session.
    static let writeTimeoutMs = 300_000

    /// The errno in the writer's `paddock-init: write-file: errno N: …` message.
    static func writeErrno(_ message: String) -> Int32? {
        guard let range = message.range(of: "write-file: errno ") else { return nil }
        return Int32(message[range.upperBound...].prefix { $0.isNumber })
    }

    /// Lists a directory of the session, sorted by name.
    public nonisolated func listDirectory(sessionID: String, path: SessionPath) async throws(PaddockError) -> [SessionFileEntry] {
        let files = try await rootFiles(sessionID)
        return try await BlockingWork.run { () throws(PaddockError) in try files.list(path) }
    }

    // MARK: - Helpers

    /// The layout and record of a served session, or `notFound`.
    func served(_ sessionID: String) throws(PaddockError) -> (SessionLayout, SessionRecord) {
        guard let record = sessions[sessionID], let layout = machinery.layout(sessionID) else {
            throw PaddockError(.notFound, "no running session \(sessionID) in this runtime")
        }
        return (layout, record)
    }

    private func rootFiles(_ sessionID: String) throws(PaddockError) -> SessionRootFiles {
        let (layout, _) = try served(sessionID)
        return SessionRootFiles(root: layout.rootfs, sessionID: sessionID)
    }

    /// Refuses resources the container or the disk could not be made with.
    static func validate(_ launch: SessionLaunch) throws(PaddockError) {
        _ = try ResourceLimits(cpus: launch.resources.cpus, memoryMB: launch.resources.memoryMB, pids: launch.resources.pids)
        guard (1...(1 << 24)).contains(launch.resources.diskMB) else {
            throw .invalid("resources.disk_mb", "must be between 1 and 16777216")
        }
    }

    /// The API error for an agent error: refusals keep their message (with `param` `cwd` or
    /// `user` when they are about it), everything else is internal.
    static func paddockError(_ error: AgentError, sessionID: String) -> PaddockError {
        switch error.code {
        case .invalidArgument:
            let param = error.message.contains("cwd") ? "cwd" : error.message.contains("user") ? "user" : nil
            return PaddockError(.invalidArgument, error.message, param: param)
        default:
            return PaddockError(.internal, "exec in session \(sessionID) failed: \(error.message)")
        }
    }
}
