import PaddockCore
import PaddockStore
import Testing

extension Fixture {
    /// `sess_` + 26 characters that sort by `n`, like a ULID minted at time `n`.
    static func sessionID(_ n: Int) -> String {
        let digits = String(n)
        return "sess_" + String(repeating: "0", count: 26 - digits.count) + digits
    }

    /// A new (provisioning) session record made from environment `environment`.
    static func session(
        _ n: Int, account: String, environment: Int = 1, status: SessionStatus = .provisioning
    ) -> SessionRecord {
        SessionRecord(
            id: sessionID(n), accountID: account, environmentID: environmentID(environment),
            environmentName: "env-\(environment)", configJSON: #"{"type":"cloud","networking":{"type":"unrestricted"}}"#,
            status: status.rawValue,
            resourcesJSON: #"{"cpus":2,"memory_mb":4096,"pids":1024,"disk_mb":10240}"#, envJSON: #"{"FOO":"bar"}"#,
            timeoutSeconds: 3600, idleTimeoutSeconds: 900, metadataJSON: "{}", createdAt: createdAt)
    }
}

/// RecordStore contract: sessions are stored with their environment snapshot, scoped by
/// account, listed newest first, and changed only through one transactional update.
@Suite("RecordStore contract: sessions")
struct SessionContractTests {
    @Test("a created session reads back whole, by id in its account and in any account", arguments: StoreFactory.all)
    func createAndRead(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            var record = Fixture.session(1, account: a)
            record.metadataJSON = #"{"team":"ml"}"#
            record.provisioningLog = "step base: cached\n"
            let stored = try await store.createSession(record)
            #expect(stored == record)
            #expect(try await store.session(id: record.id, accountID: a) == record)
            #expect(try await store.session(id: record.id) == record)
            #expect(try await store.session(id: Fixture.sessionID(2)) == nil)
        }
    }

    @Test("a new record has no error, reason, steps, log, start or end", arguments: StoreFactory.all)
    func newRecordDefaults(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            let stored = try #require(try await store.session(id: store.createSession(Fixture.session(1, account: a)).id))
            #expect(stored.errorJSON == nil)
            #expect(stored.terminationReason == nil)
            #expect(stored.stepsJSON == "[]")
            #expect(stored.provisioningLog == nil)
            #expect(stored.startedAt == nil)
            #expect(stored.endedAt == nil)
            #expect(stored.status == "provisioning")
        }
    }

    @Test("another account's session is absent, and a session needs an existing account", arguments: StoreFactory.all)
    func accountIsolation(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, b) = try await Fixture.twoAccounts(store)
            let record = try await store.createSession(Fixture.session(1, account: a))
            #expect(try await store.session(id: record.id, accountID: b) == nil)
            let page = try await store.listSessions(
                accountID: b, status: nil, environmentID: nil, limit: 10, afterID: nil, beforeID: nil)
            #expect(page.items.isEmpty)
            await expectPaddockError(.notFound) {
                try await store.createSession(Fixture.session(2, account: "acct_missing"))
            }
        }
    }

    @Test("a repeated id is an internal error, not a conflict", arguments: StoreFactory.all)
    func repeatedID(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, b) = try await Fixture.twoAccounts(store)
            try await store.createSession(Fixture.session(1, account: a))
            await expectPaddockError(.internal) { try await store.createSession(Fixture.session(1, account: b)) }
        }
    }

    @Test("a status or reason PaddockCore does not define is refused", arguments: StoreFactory.all)
    func unknownStates(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            var bad = Fixture.session(1, account: a)
            bad.status = "sleeping"
            await expectPaddockError(.internal) { try await store.createSession(bad) }
            let record = try await store.createSession(Fixture.session(2, account: a))
            await expectPaddockError(.internal) {
                _ = try await store.updateSession(id: record.id) { $0.terminationReason = "bored" }
            }
            #expect(try await store.session(id: record.id) == record)
        }
    }

    @Test("update writes the mutable fields and returns the stored record", arguments: StoreFactory.all)
    func update(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            let record = try await store.createSession(Fixture.session(1, account: a))
            let running = try await store.updateSession(id: record.id) { session in
                session.status = SessionStatus.running.rawValue
                session.stepsJSON = #"[{"name":"base","status":"cached","duration_ms":0}]"#
                session.startedAt = Fixture.updatedAt
            }
            var expected = record
            expected.status = "running"
            expected.stepsJSON = #"[{"name":"base","status":"cached","duration_ms":0}]"#
            expected.startedAt = Fixture.updatedAt
            #expect(running == expected)
            #expect(try await store.session(id: record.id, accountID: a) == expected)

            let ended = try await store.updateSession(id: record.id) { session in
                session.status = SessionStatus.terminated.rawValue
                session.terminationReason = TerminationReason.timeout.rawValue
                session.errorJSON = #"{"type":"timeout","message":"timed out"}"#
                session.provisioningLog = "done\n"
                session.endedAt = "2026-12-05T00:00:00.000Z"
            }
            #expect(ended.status == "terminated")
            #expect(ended.terminationReason == "timeout")
            #expect(ended.errorJSON == #"{"type":"timeout","message":"timed out"}"#)
            #expect(ended.provisioningLog == "done\n")
            #expect(ended.endedAt == "2026-12-05T00:00:00.000Z")
            #expect(try await store.session(id: record.id) == ended)

            // Back to null.
            let cleared = try await store.updateSession(id: record.id) { $0.errorJSON = nil }
            #expect(cleared.errorJSON == nil)
            #expect(try await store.session(id: record.id)?.errorJSON == nil)
        }
    }

    @Test("update ignores changes to the immutable fields", arguments: StoreFactory.all)
    func updateImmutable(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, b) = try await Fixture.twoAccounts(store)
            let record = try await store.createSession(Fixture.session(1, account: a))
            let result = try await store.updateSession(id: record.id) { session in
                session.id = Fixture.sessionID(9)
                session.accountID = b
                session.environmentID = Fixture.environmentID(9)
                session.environmentName = "other"
                session.configJSON = "{}"
                session.resourcesJSON = "{}"
                session.envJSON = "{}"
                session.timeoutSeconds = 1
                session.idleTimeoutSeconds = 1
                session.metadataJSON = #"{"x":"y"}"#
                session.createdAt = "1970-01-01T00:00:00.000Z"
                session.status = SessionStatus.failed.rawValue
            }
            var expected = record
            expected.status = "failed"
            #expect(result == expected)
            #expect(try await store.session(id: record.id, accountID: a) == expected)
            #expect(try await store.session(id: Fixture.sessionID(9)) == nil)
        }
    }

    @Test("an update body that throws leaves the session untouched", arguments: StoreFactory.all)
    func updateThrows(factory: StoreFactory) async throws {
        struct Refused: Error {}
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            let record = try await store.createSession(Fixture.session(1, account: a))
            await #expect(throws: Refused.self) {
                _ = try await store.updateSession(id: record.id) { session in
                    session.status = SessionStatus.running.rawValue
                    throw Refused()
                }
            }
            // A lifecycle refusal inside the body works the same way.
            let finished = try await store.updateSession(id: record.id) { $0.status = SessionStatus.failed.rawValue }
            await expectPaddockError(.conflict) {
                _ = try await store.updateSession(id: record.id) { session in
                    let next = try SessionLifecycle.next(SessionStatus(rawValue: session.status)!, on: .started)
                    session.status = next.status.rawValue
                }
            }
            #expect(try await store.session(id: record.id) == finished)
        }
    }

    @Test("update of a missing session is not found", arguments: StoreFactory.all)
    func updateMissing(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            try await Fixture.twoAccounts(store)
            await expectPaddockError(.notFound) {
                _ = try await store.updateSession(id: Fixture.sessionID(1)) { $0.status = "running" }
            }
        }
    }

    @Test("concurrent updates of one session never lose a write", arguments: StoreFactory.all)
    func concurrentUpdates(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            let record = try await store.createSession(Fixture.session(1, account: a))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        _ = try await store.updateSession(id: record.id) { session in
                            // Read-modify-write of the steps counter: a lost update would show.
                            let count = Int(session.stepsJSON.dropFirst().dropLast().split(separator: ",").count)
                            session.stepsJSON = "[" + Array(repeating: "0", count: count + 1).joined(separator: ",") + "]"
                        }
                    }
                }
                try await group.waitForAll()
            }
            let steps = try #require(try await store.session(id: record.id)).stepsJSON
            #expect(steps.split(separator: ",").count == 50)
        }
    }

    @Test("sessions(withStatuses:) finds sessions across accounts, oldest first, without logs", arguments: StoreFactory.all)
    func byStatus(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, b) = try await Fixture.twoAccounts(store)
            var withLog = Fixture.session(1, account: a, status: .running)
            withLog.provisioningLog = "a long log"
            try await store.createSession(withLog)
            try await store.createSession(Fixture.session(2, account: b, status: .provisioning))
            try await store.createSession(Fixture.session(3, account: a, status: .terminated))
            try await store.createSession(Fixture.session(4, account: b, status: .running))
            try await store.createSession(Fixture.session(5, account: a, status: .failed))

            let unfinished = try await store.sessions(withStatuses: ["provisioning", "running"])
            #expect(unfinished.map(\.id) == [1, 2, 4].map(Fixture.sessionID))
            #expect(unfinished.allSatisfy { $0.provisioningLog == nil })
            var expected = withLog
            expected.provisioningLog = nil
            #expect(unfinished.first == expected)
            #expect(try await store.sessions(withStatuses: ["failed"]).map(\.id) == [Fixture.sessionID(5)])
            #expect(try await store.sessions(withStatuses: []).isEmpty)
            #expect(try await store.sessions(withStatuses: ["running", "running"]).count == 2)
            #expect(try await store.sessions(withStatuses: ["' OR 1=1 --"]).isEmpty)
        }
    }

    @Test("counts include sessions by status", arguments: StoreFactory.all)
    func counts(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, b) = try await Fixture.twoAccounts(store)
            #expect(try await store.counts().sessionsByStatus.isEmpty)
            try await store.createSession(Fixture.session(1, account: a, status: .running))
            try await store.createSession(Fixture.session(2, account: b, status: .running))
            try await store.createSession(Fixture.session(3, account: a, status: .failed))
            let counts = try await store.counts()
            #expect(counts.sessionsByStatus == ["running": 2, "failed": 1])
            #expect(counts.sessions("running") == 2)
            #expect(counts.sessions("terminated") == 0)
            #expect(counts.accounts == 2)
        }
    }

    @Test("deleting an environment leaves its sessions and their snapshot intact", arguments: StoreFactory.all)
    func environmentDeletion(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            let environment = try await store.createEnvironment(Fixture.environment(1, account: a, name: "env-1"))
            var session = Fixture.session(1, account: a, environment: 1, status: .running)
            session.configJSON = environment.configJSON
            try await store.createSession(session)
            try await store.createSession(Fixture.session(2, account: a, environment: 1, status: .terminated))
            try await store.deleteEnvironment(id: environment.id, accountID: a)

            #expect(try await store.environment(id: environment.id, accountID: a) == nil)
            #expect(try await store.session(id: session.id, accountID: a) == session)
            let page = try await store.listSessions(
                accountID: a, status: nil, environmentID: environment.id, limit: 10, afterID: nil, beforeID: nil)
            #expect(page.items.map(\.id) == [Fixture.sessionID(2), Fixture.sessionID(1)])
            // The session can still change after its environment is gone.
            let ended = try await store.updateSession(id: session.id) { $0.status = SessionStatus.terminated.rawValue }
            #expect(ended.environmentName == "env-1")
            #expect(ended.configJSON == environment.configJSON)
        }
    }

    @Test("updating an environment does not change its sessions", arguments: StoreFactory.all)
    func environmentUpdate(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            let environment = try await store.createEnvironment(Fixture.environment(1, account: a, name: "env-1"))
            let session = try await store.createSession(Fixture.session(1, account: a, environment: 1))
            _ = try await store.modifyEnvironment(id: environment.id, accountID: a) { env in
                env.name = "renamed"
                env.configJSON = #"{"type":"cloud","networking":{"type":"allowlist","domains":[]}}"#
            }
            #expect(try await store.session(id: session.id) == session)
        }
    }

    @Test("sessions and their changes survive a reopen", arguments: StoreFactory.all)
    func durableAcrossReopen(factory: StoreFactory) async throws {
        try await withTemporaryDirectory { directory in
            let store = try await factory.open(directory)
            let (a, _) = try await Fixture.twoAccounts(store)
            let record = try await store.createSession(Fixture.session(1, account: a))
            let updated = try await store.updateSession(id: record.id) { session in
                session.status = SessionStatus.failed.rawValue
                session.errorJSON = #"{"type":"provisioning_error","message":"pip: no such package 'pandaz'"}"#
                session.provisioningLog = "Ünïcødé log 🚀\n" + String(repeating: "x", count: 100_000)
                session.endedAt = Fixture.updatedAt
            }
            await store.close()

            let reopened = try await factory.open(directory)
            #expect(try await reopened.session(id: record.id, accountID: a) == updated)
            #expect(try await reopened.sessions(withStatuses: ["failed"]).map(\.id) == [record.id])
            await reopened.close()
        }
    }

    @Test("text survives byte for byte, and SQL in it is literal", arguments: StoreFactory.all)
    func textRoundTrip(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            var record = Fixture.session(1, account: a)
            record.environmentName = "x'); DROP TABLE sessions;-- Ünïcødé 🚀"
            record.envJSON = #"{"Q":"\" OR 1=1 --","E":""}"#
            record.provisioningLog = ""
            try await store.createSession(record)
            #expect(try await store.session(id: record.id, accountID: a) == record)
            #expect(try await store.accountCount() == 2)
        }
    }
}
