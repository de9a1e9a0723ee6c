import Foundation
import PaddockAgentProtocol
import PaddockCore
import PaddockJSON
import PaddockRuntime
import PaddockStore

/// Tunables of the sessions service (server settings, not API fields).
struct SessionSettings: Sendable {
    /// Provisioning that takes longer fails the session (a `wait` create waits at most this).
    var provisioningLimitSeconds: Double = 1800
    /// Each of stdout and stderr of an exec is capped at this many bytes (`truncated` says so).
    var maxOutputBytes = 16 << 20
    /// The largest file `GET …/files` returns.
    var maxFileBytes = 256 << 20
    /// How often timeouts and idle timeouts are checked.
    var sweepIntervalSeconds: Double = 1
    /// How often running containers are checked for having died on their own.
    var livenessIntervalSeconds: Double = 10
}

/// Sessions: creation and provisioning, reads, deletion, exec and files, timeouts, and
/// recovery after a restart. The store holds every session's record; this actor holds what
/// only lives while the server runs (provisioning jobs, activity clocks).
actor SessionService {
    let store: PaddockStore
    let runtime: any SessionRuntime
    let ids: IdentifierGenerator
    let settings: SessionSettings
    /// Called after each provisioning (e.g. to trim the layer cache to its bound).
    let afterProvisioning: @Sendable () async -> Void

    private var jobs: [String: ProvisioningTask] = [:]
    private var clocks: [String: SessionClock] = [:]
    private var sweeper: Task<Void, Never>?

    init(store: PaddockStore, runtime: any SessionRuntime, ids: IdentifierGenerator, settings: SessionSettings = SessionSettings(),
         afterProvisioning: @escaping @Sendable () async -> Void = {}) {
        self.store = store
        self.runtime = runtime
        self.ids = ids
        self.settings = settings
        self.afterProvisioning = afterProvisioning
    }

    // MARK: - Create and read

    /// Records the session, starts provisioning in the background and returns the new record;
    /// with `wait`, returns only once it is `running` or `failed`.
    func create(_ request: SessionCreateRequest, accountID: String) async throws -> SessionView {
        let environment = try resolveEnvironment(request, accountID: accountID)
        let config = try EnvironmentConfig.parse(JSONParser.parse(Array(environment.configJSON.utf8)))
        let now = Date()
        let record = SessionRecord(
            id: ids.make(.session, now: now), accountID: accountID, environmentID: environment.id,
            environmentName: environment.name, configJSON: environment.configJSON,
            status: SessionStatus.provisioning.rawValue, errorJSON: nil, terminationReason: nil,
            resourcesJSON: JSONWriter.string(request.resources.json),
            envJSON: JSONWriter.string(EnvironmentVariables.json(request.env)),
            timeoutSeconds: request.timeoutSeconds, idleTimeoutSeconds: request.idleTimeoutSeconds,
            metadataJSON: JSONWriter.string(request.metadata.json), stepsJSON: "[]", provisioningLog: nil,
            createdAt: Timestamp.format(now), startedAt: nil, endedAt: nil)
        try await store.createSession(record)

        let launch = SessionLaunch(
            sessionID: record.id, packages: config.packages, setupScript: config.setupScript,
            networking: config.networking,
            resources: SessionResources(cpus: request.resources.cpus, memoryMB: request.resources.memoryMB,
                                        pids: request.resources.pids, diskMB: request.resources.diskMB),
            environment: Dictionary(request.env.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }))
        let job = ProvisioningJob()
        let task = Task { await self.provision(launch, job: job) }
        jobs[record.id] = ProvisioningTask(job: job, task: task)
        if request.wait {
            await task.value
            return try view(record.id)
        }
        return SessionView(record: record, liveSteps: job.steps)
    }

    /// One session of the account.
    func get(_ id: String, accountID: String) throws -> SessionView {
        SessionView(record: try record(id, accountID: accountID), liveSteps: jobs[id]?.job.steps)
    }

    /// A page of the account's sessions, newest first.
    func list(accountID: String, status: SessionStatus?, environmentID: String?, limit: Int,
              afterID: String?, beforeID: String?) throws -> Page<SessionView> {
        let page = try store.listSessions(accountID: accountID, status: status?.rawValue, environmentID: environmentID,
                                          limit: limit, afterID: afterID, beforeID: beforeID)
        return Page(items: page.items.map { SessionView(record: $0, liveSteps: jobs[$0.id]?.job.steps) },
                    hasMore: page.hasMore)
    }

    /// The provisioning log: what there is so far, or with `follow` a stream that ends when
    /// provisioning ends.
    func log(_ id: String, accountID: String, follow: Bool) throws -> ProvisioningLogOutput {
        let record = try record(id, accountID: accountID)
        if let job = jobs[id]?.job {
            return follow ? .stream(job.follow()) : .text(job.logText)
        }
        return .text(record.provisioningLog ?? "")
    }

    // MARK: - Delete

    /// Ends the session (cancelling provisioning) and frees everything it held; idempotent.
    func delete(_ id: String, accountID: String) async throws -> SessionView {
        _ = try record(id, accountID: accountID)
        if let running = jobs[id] {
            running.task.cancel()
            await running.task.value
        }
        let current = try record(id, accountID: accountID)
        if current.status == SessionStatus.running.rawValue {
            try await end(id, reason: .deleted)
        }
        return try view(id)
    }

    // MARK: - Exec and files

    /// Checks the session may take work (404 / 409) and counts the call as activity.
    func beginWork(_ id: String, accountID: String) throws -> WorkTicket {
        let record = try record(id, accountID: accountID)
        guard let status = SessionStatus(rawValue: record.status), SessionLifecycle.acceptsWork(status),
              clocks[id] != nil else {
            throw PaddockError(.conflict, "session \(id) is \(record.status), not running; create a new session")
        }
        clocks[id]?.activeCalls += 1
        clocks[id]?.lastActivity = Date()
        return WorkTicket(sessionID: id, remainingSeconds: clocks[id]?.remainingSeconds(now: Date()) ?? 0)
    }

    /// Ends a call begun with `beginWork`.
    func endWork(_ ticket: WorkTicket) {
        clocks[ticket.sessionID]?.activeCalls -= 1
        clocks[ticket.sessionID]?.lastActivity = Date()
    }

    // MARK: - Background

    /// Recovers after a (re)start, then starts the timeout sweeper. Sessions that were
    /// provisioning fail (their half-made parts are removed); running sessions whose container
    /// still runs are served again; the others end with reason `error`.
    func start() async throws {
        let unfinished = try store.sessions(withStatuses: [SessionStatus.provisioning.rawValue, SessionStatus.running.rawValue])
        let running = unfinished.filter { $0.status == SessionStatus.running.rawValue }
        let report = await runtime.reconcile(live: Set(running.map(\.id)))
        let now = Date()
        for record in unfinished where record.status == SessionStatus.provisioning.rawValue {
            _ = try await store.updateSession(id: record.id) { session in
                session.status = SessionStatus.failed.rawValue
                session.errorJSON = JSONWriter.string(SessionJSON.error(
                    type: "provisioning_error", message: "the server stopped while this session was provisioning; create a new session"))
                session.endedAt = Timestamp.format(now)
            }
        }
        for record in running {
            if report.adopted.contains(record.id) {
                clocks[record.id] = SessionClock(record: record, now: now)
            } else {
                try await markEnded(record.id, reason: .error, now: now)
            }
        }
        startSweeper()
    }

    /// Stops the sweeper (sessions keep running; a restart re-adopts them).
    func stop() {
        sweeper?.cancel()
        sweeper = nil
    }

    // MARK: - Internals

    private func provision(_ launch: SessionLaunch, job: ProvisioningJob) async {
        let id = launch.sessionID
        let outcome: ProvisioningOutcome
        do {
            let running = try await Self.withTimeLimit(settings.provisioningLimitSeconds) { [runtime] in
                try await runtime.provision(launch, observer: job)
            }
            job.settle(steps: running.steps)
            if Task.isCancelled {
                await runtime.terminate(sessionID: id)
                outcome = .cancelled
            } else {
                outcome = .started
            }
        } catch let failure as ProvisioningFailure {
            job.settle(steps: failure.steps)
            job.log("provisioning failed at step \(failure.step): \(failure.message)")
            outcome = .failed(failure.message)
        } catch is CancellationError {
            outcome = Task.isCancelled ? .cancelled
                : .failed("provisioning took longer than \(Int(settings.provisioningLimitSeconds)) s and was stopped")
        } catch {
            job.log("provisioning failed: \(error)")
            outcome = .failed("provisioning failed: \(error)")
        }
        await finishProvisioning(id, job: job, outcome: outcome)
        await afterProvisioning()
    }

    private func finishProvisioning(_ id: String, job: ProvisioningJob, outcome: ProvisioningOutcome) async {
        let now = Date()
        let stamp = Timestamp.format(now)
        do {
            let updated = try await store.updateSession(id: id) { session in
                session.stepsJSON = JSONWriter.string(SessionJSON.steps(job.steps))
                session.provisioningLog = job.logText
                let event: SessionEvent
                switch outcome {
                case .started: event = .started
                case .failed(let message):
                    event = .provisioningFailed
                    session.errorJSON = JSONWriter.string(SessionJSON.error(type: "provisioning_error", message: message))
                case .cancelled: event = .terminate(.deleted)
                }
                guard let status = SessionStatus(rawValue: session.status) else { return }
                let next = try SessionLifecycle.next(status, on: event)
                session.status = next.status.rawValue
                session.terminationReason = next.reason?.rawValue ?? session.terminationReason
                if next.status == .running { session.startedAt = stamp }
                if next.status.isFinal { session.endedAt = stamp }
            }
            if updated.status == SessionStatus.running.rawValue {
                clocks[id] = SessionClock(record: updated, now: now)
            }
        } catch {
            // The record could not be updated: do not leave a container nobody can see.
            await runtime.terminate(sessionID: id)
        }
        job.finish()
        jobs[id] = nil
    }

    /// Terminates a running session for `reason` and records it.
    private func end(_ id: String, reason: TerminationReason) async throws {
        clocks[id] = nil
        await runtime.terminate(sessionID: id)
        try await markEnded(id, reason: reason, now: Date())
    }

    private func markEnded(_ id: String, reason: TerminationReason, now: Date) async throws {
        clocks[id] = nil
        _ = try await store.updateSession(id: id) { session in
            guard let status = SessionStatus(rawValue: session.status) else { return }
            let next = try SessionLifecycle.next(status, on: .terminate(reason))
            guard next.status != status else { return }
            session.status = next.status.rawValue
            session.terminationReason = next.reason?.rawValue
            session.endedAt = Timestamp.format(now)
        }
    }

    private func startSweeper() {
        let interval = settings.sweepIntervalSeconds
        sweeper = Task { [weak self] in
            var lastLiveness = Date()
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
                guard let self else { return }
                let checkLiveness = Date().timeIntervalSince(lastLiveness) >= self.settings.livenessIntervalSeconds
                if checkLiveness { lastLiveness = Date() }
                await self.sweep(checkLiveness: checkLiveness)
            }
        }
    }

    /// Ends sessions past their timeout or idle timeout, and those whose container died.
    func sweep(checkLiveness: Bool) async {
        let now = Date()
        for (id, clock) in clocks {
            var reason: TerminationReason?
            if clock.isPastTimeout(now: now) {
                reason = .timeout
            } else if clock.isIdle(now: now) {
                reason = .idle
            } else if checkLiveness, await !runtime.isAlive(sessionID: id) {
                reason = .error
            }
            if let reason, clocks[id] != nil {
                try? await end(id, reason: reason)
            }
        }
    }

    private func resolveEnvironment(_ request: SessionCreateRequest, accountID: String) throws -> EnvironmentRecord {
        if let id = request.environmentID {
            guard let environment = try store.environment(id: id, accountID: accountID) else {
                throw PaddockError(.notFound, "environment \(Shown.text(id)) does not exist; list yours with GET /v1/environments",
                                   param: "environment_id")
            }
            return environment
        }
        let name = request.environmentName ?? ""
        guard let environment = try store.environment(name: name, accountID: accountID) else {
            throw PaddockError(.notFound, "there is no environment named '\(Shown.text(name))'; list yours with GET /v1/environments",
                               param: "environment")
        }
        return environment
    }

    private func record(_ id: String, accountID: String) throws -> SessionRecord {
        guard let record = try store.session(id: id, accountID: accountID) else {
            throw PaddockError(.notFound, "session \(Shown.text(id)) does not exist; list yours with GET /v1/sessions")
        }
        return record
    }

    private func view(_ id: String) throws -> SessionView {
        guard let record = try store.session(id: id) else {
            throw PaddockError(.internal, "session \(id) vanished from the store")
        }
        return SessionView(record: record, liveSteps: jobs[id]?.job.steps)
    }

    /// Runs `body`, cancelling it after `seconds` (it then throws `CancellationError`).
    private static func withTimeLimit<T: Sendable>(_ seconds: Double,
                                                   _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let value = result { return value }
                group.cancelAll()  // the limit passed: cancel the body and wait for it to unwind
            }
            throw CancellationError()
        }
    }
}

/// A provisioning job and the task running it.
struct ProvisioningTask: Sendable {
    let job: ProvisioningJob
    let task: Task<Void, Never>
}

/// How provisioning ended.
private enum ProvisioningOutcome {
    case started
    case failed(String)
    case cancelled
}

/// The provisioning log as a route returns it.
enum ProvisioningLogOutput: Sendable {
    case text(String)
    case stream(AsyncStream<[UInt8]>)
}

/// An exec or file call in progress, with the session time left when it began.
struct WorkTicket: Sendable {
    let sessionID: String
    let remainingSeconds: Double
}

/// The timers of a running session.
struct SessionClock: Sendable {
    let startedAt: Date
    let timeoutSeconds: Int
    let idleTimeoutSeconds: Int
    var lastActivity: Date
    var activeCalls = 0

    init(record: SessionRecord, now: Date) {
        startedAt = record.startedAt.flatMap(Timestamp.parse) ?? now
        timeoutSeconds = record.timeoutSeconds
        idleTimeoutSeconds = record.idleTimeoutSeconds
        lastActivity = now
    }

    func remainingSeconds(now: Date) -> Double {
        max(0, Double(timeoutSeconds) - now.timeIntervalSince(startedAt))
    }

    func isPastTimeout(now: Date) -> Bool { remainingSeconds(now: now) <= 0 }

    func isIdle(now: Date) -> Bool {
        idleTimeoutSeconds > 0 && activeCalls == 0 && now.timeIntervalSince(lastActivity) >= Double(idleTimeoutSeconds)
    }
}
