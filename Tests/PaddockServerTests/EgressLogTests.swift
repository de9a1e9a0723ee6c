import Foundation
import PaddockCore
import PaddockServer
import PaddockStore
import Synchronization
import Testing

/// `EgressLog`: recording never blocks, a background task writes batches to a real SQLite
/// store (by size or by time), the queue is bounded, and the counters count every attempt.
@Suite("egress log")
struct EgressLogTests {
    /// A store in a fresh directory with one session (`sessionID`).
    struct Bed {
        static let sessionID = "sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F"
        let directory: String
        let store: PaddockStore

        init() async throws {
            directory = try TemporaryDirectory.make()
            store = try PaddockStore(path: directory + "/paddock.db")
            try await store.createAccount(id: "acct_1", name: "one", isAdmin: true, createdAt: Timestamp.now())
            try await store.createSession(SessionRecord(
                id: Self.sessionID, accountID: "acct_1", environmentID: "env_1", environmentName: "default",
                configJSON: "{}", status: "running", resourcesJSON: "{}", envJSON: "{}", timeoutSeconds: 60,
                idleTimeoutSeconds: 0, metadataJSON: "{}", createdAt: Timestamp.now()))
        }

        func stored() throws -> [EgressEventRecord] {
            try store.egressEvents(sessionID: Self.sessionID, decision: nil, limit: Int.max, afterID: nil).items
        }

        func close() async {
            await store.close()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    static func event(_ n: Int, allowed: Bool = true, protocolName: EgressProtocol = .connect) -> EgressEvent {
        EgressEvent(time: Date(), sessionID: Bed.sessionID, protocolName: protocolName, host: "h\(n).example.com", port: 443,
                    address: allowed ? "203.0.113.9" : nil, allowed: allowed, reason: allowed ? nil : .hostNotAllowed,
                    bytesUp: allowed ? 3 : 0, bytesDown: allowed ? 30 : 0, durationMs: 1)
    }

    /// Waits (without a time limit) until `condition` holds.
    static func eventually(_ condition: () throws -> Bool) async throws {
        while try !condition() { try await Task.sleep(for: .milliseconds(5)) }
    }

    static func withBed(_ body: (Bed) async throws -> Void) async throws {
        let bed = try await Bed()
        do { try await body(bed) } catch { await bed.close(); throw error }
        await bed.close()
    }

    @Test("a full batch is written without waiting for the timer, in order, one transaction per batch")
    func batchesBySize() async throws {
        try await Self.withBed { bed async throws in
            let log = EgressLog(store: bed.store, batchSize: 100, flushInterval: .seconds(3600))
            for n in 0..<250 { log.record(Self.event(n)) }
            try await Self.eventually { log.statistics.written >= 200 }
            #expect(log.statistics.pending <= 50)
            await log.flush()
            let statistics = log.statistics
            #expect(statistics.written == 250)
            #expect(statistics.pending == 0)
            #expect(statistics.batches >= 3)
            #expect(try bed.stored().map(\.host) == (0..<250).map { "h\($0).example.com" })
            await log.stop()
        }
    }

    @Test("a partial batch is written when the interval passes")
    func batchesByTime() async throws {
        try await Self.withBed { bed async throws in
            let log = EgressLog(store: bed.store, batchSize: 500, flushInterval: .milliseconds(20))
            for n in 0..<3 { log.record(Self.event(n)) }
            try await Self.eventually { log.statistics.written == 3 }
            #expect(try bed.stored().count == 3)
            await log.stop()
        }
    }

    @Test("flush returns once every earlier event is stored")
    func flushWaits() async throws {
        try await Self.withBed { bed async throws in
            let log = EgressLog(store: bed.store, batchSize: 500, flushInterval: .seconds(3600))
            #expect(try bed.stored().isEmpty)
            log.record(Self.event(1))
            log.record(Self.event(2, allowed: false))
            await log.flush()
            #expect(try bed.stored().map(\.decision) == [.allowed, .denied])
            await log.flush()  // nothing pending: returns as well
            await log.stop()
        }
    }

    @Test("beyond the bound new events are dropped and counted, but still counted as attempts")
    func boundedQueue() async throws {
        try await Self.withBed { bed async throws in
            let log = EgressLog(store: bed.store, batchSize: 1000, flushInterval: .seconds(3600), maxPending: 10)
            for n in 0..<15 { log.record(Self.event(n)) }
            #expect(log.statistics.pending == 10)
            #expect(log.statistics.dropped == 5)
            #expect(log.statistics.attempts(.connect, allowed: true) == 15)
            await log.flush()
            #expect(try bed.stored().map(\.host) == (0..<10).map { "h\($0).example.com" })
            await log.stop()
        }
    }

    @Test("counters count attempts by protocol and decision, and bytes")
    func counters() async throws {
        try await Self.withBed { bed async throws in
            let log = EgressLog(store: bed.store, flushInterval: .seconds(3600))
            log.record(Self.event(1))
            log.record(Self.event(2))
            log.record(Self.event(3, allowed: false))
            log.record(Self.event(4, protocolName: .dns))
            let statistics = log.statistics
            #expect(statistics.attempts(.connect, allowed: true) == 2)
            #expect(statistics.attempts(.connect, allowed: false) == 1)
            #expect(statistics.attempts(.dns, allowed: true) == 1)
            #expect(statistics.attempts(.http, allowed: true) == 0)
            #expect(statistics.bytesUp == 9)
            #expect(statistics.bytesDown == 90)
            await log.stop()
        }
    }

    @Test("stop writes what is queued; a later flush writes on its own")
    func stopThenFlush() async throws {
        try await Self.withBed { bed async throws in
            let log = EgressLog(store: bed.store, flushInterval: .seconds(3600))
            log.record(Self.event(1))
            await log.stop()
            #expect(try bed.stored().count == 1)
            log.record(Self.event(2))
            await log.flush()
            #expect(try bed.stored().count == 2)
        }
    }

    @Test("a batch the store refuses is dropped, counted and reported")
    func storeFailure() async throws {
        try await Self.withBed { bed async throws in
            let errors = Mutex<[String]>([])
            let log = EgressLog(store: bed.store, flushInterval: .seconds(3600), onWriteError: { message in
                errors.withLock { $0.append(message) }
            })
            await bed.store.close()
            log.record(Self.event(1))
            log.record(Self.event(2))
            await log.flush()
            #expect(log.statistics.dropped == 2)
            #expect(log.statistics.written == 0)
            #expect(errors.withLock { $0.count } == 1)
            #expect(errors.withLock { $0.first?.contains("2 events") } == true)
            await log.stop()
        }
    }

    @Test("an event of a session the store does not know is dropped and counted")
    func unknownSession() async throws {
        try await Self.withBed { bed async throws in
            let log = EgressLog(store: bed.store, flushInterval: .seconds(3600))
            var stray = Self.event(1)
            stray.sessionID = "sess_01JEX6Q0W5M3T9ZK8B7N2C4D6G"
            log.record(stray)
            log.record(Self.event(2))
            await log.flush()
            #expect(log.statistics.written == 1)
            #expect(log.statistics.dropped == 1)
            #expect(try bed.stored().map(\.host) == ["h2.example.com"])
            await log.stop()
        }
    }

    @Test("a new log restores the totals of earlier runs from the store")
    func restoreTotals() async throws {
        try await Self.withBed { bed async throws in
            let first = EgressLog(store: bed.store, flushInterval: .seconds(3600))
            first.record(Self.event(1))
            first.record(Self.event(2, allowed: false, protocolName: .http))
            await first.stop()
            let second = EgressLog(store: bed.store, flushInterval: .seconds(3600))
            try await second.restoreTotals()
            second.record(Self.event(3))
            let statistics = second.statistics
            #expect(statistics.attempts(.connect, allowed: true) == 2)
            #expect(statistics.attempts(.http, allowed: false) == 1)
            #expect(statistics.bytesUp == 6)
            #expect(statistics.bytesDown == 60)
            await second.stop()
        }
    }

    @Test("recording from many threads at once loses nothing")
    func concurrentRecording() async throws {
        try await Self.withBed { bed async throws in
            let log = EgressLog(store: bed.store, batchSize: 64, flushInterval: .milliseconds(10))
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask { for n in 0..<200 { log.record(Self.event(worker * 1000 + n)) } }
                }
            }
            await log.flush()
            #expect(log.statistics.written == 1600)
            #expect(log.statistics.dropped == 0)
            let ids = try bed.stored().map(\.id)
            #expect(ids.count == 1600)
            #expect(ids == ids.sorted())
            await log.stop()
        }
    }
}
