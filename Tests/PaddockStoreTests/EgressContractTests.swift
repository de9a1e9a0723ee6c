import Foundation
import PaddockCore
import PaddockStore
import Testing

extension Fixture {
    /// The `n`-th audit event of a session: host `h<n>.example.com`, time `n` seconds after a
    /// fixed instant, denied (with a reason) unless `allowed`.
    static func egress(_ n: Int, session: String, allowed: Bool = true, protocolName: EgressProtocol = .connect,
                       bytesUp: Int64 = 10, bytesDown: Int64 = 100) -> EgressEvent {
        EgressEvent(time: Date(timeIntervalSince1970: 1_796_315_974.123 + Double(n)), sessionID: session,
                    protocolName: protocolName, host: "h\(n).example.com", port: 443, address: allowed ? "203.0.113.\(n % 250)" : nil,
                    allowed: allowed, reason: allowed ? nil : .hostNotAllowed, bytesUp: allowed ? bytesUp : 0,
                    bytesDown: allowed ? bytesDown : 0, durationMs: n)
    }

    /// Two sessions of account `acct_a`: `(sess_…1, sess_…2)`.
    static func twoSessions(_ store: any RecordStore) async throws -> (String, String) {
        let (a, _) = try await twoAccounts(store)
        let first = try await store.createSession(session(1, account: a))
        let second = try await store.createSession(session(2, account: a))
        return (first.id, second.id)
    }
}

/// RecordStore contract: the network audit log is appended in batches, bounded per session
/// (oldest dropped), read oldest first with an id cursor, filtered by decision, and totalled.
@Suite("RecordStore contract: egress events")
struct EgressContractTests {
    /// Every event of the session, walking pages of `limit`.
    static func all(_ store: any RecordStore, _ session: String, decision: EgressEventRecord.Decision? = nil,
                    limit: Int = 100) async throws -> [EgressEventRecord] {
        var items: [EgressEventRecord] = []
        var after: Int64?
        while true {
            let page = try await store.egressEvents(sessionID: session, decision: decision, limit: limit, afterID: after)
            items += page.items
            guard page.hasMore, let last = page.items.last else { return items }
            after = last.id
        }
    }

    @Test("appended events read back whole, oldest first, with increasing ids", arguments: StoreFactory.all)
    func appendAndRead(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (s1, _) = try await Fixture.twoSessions(store)
            let events = [Fixture.egress(1, session: s1), Fixture.egress(2, session: s1, allowed: false, protocolName: .dns)]
            #expect(try await store.appendEgressEvents(events) == 2)
            let page = try await store.egressEvents(sessionID: s1, decision: nil, limit: 10, afterID: nil)
            #expect(!page.hasMore)
            try #require(page.items.count == 2)
            let (first, second) = (page.items[0], page.items[1])
            #expect(first.id < second.id)
            #expect(first.sessionID == s1)
            #expect(first.time == Timestamp.format(events[0].time))
            #expect(first.protocolName == "connect")
            #expect(first.host == "h1.example.com")
            #expect(first.port == 443)
            #expect(first.address == "203.0.113.1")
            #expect(first.decision == .allowed)
            #expect(first.reason == nil)
            #expect(first.bytesUp == 10)
            #expect(first.bytesDown == 100)
            #expect(first.durationMs == 1)
            #expect(second.protocolName == "dns")
            #expect(second.decision == .denied)
            #expect(second.reason == "host_not_allowed")
            #expect(second.address == nil)
        }
    }

    @Test("a session keeps its newest 10 000 events; other sessions keep theirs", arguments: StoreFactory.all)
    func boundedPerSession(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (s1, s2) = try await Fixture.twoSessions(store)
            let bound = PaddockStore.egressEventsPerSession
            try await store.appendEgressEvents((0..<3).map { Fixture.egress($0, session: s2) })
            try await store.appendEgressEvents((0..<bound).map { Fixture.egress($0, session: s1) })
            // A later batch pushes the oldest out.
            try await store.appendEgressEvents((bound..<bound + 7).map { Fixture.egress($0, session: s1) })
            let kept = try await Self.all(store, s1)
            #expect(kept.count == bound)
            #expect(kept.first?.host == "h7.example.com")
            #expect(kept.last?.host == "h\(bound + 6).example.com")
            #expect(try await Self.all(store, s2).map(\.host) == ["h0.example.com", "h1.example.com", "h2.example.com"])
        }
    }

    @Test("pages follow the id cursor and say whether more follow", arguments: StoreFactory.all)
    func pagination(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (s1, _) = try await Fixture.twoSessions(store)
            try await store.appendEgressEvents((1...7).map { Fixture.egress($0, session: s1) })
            let first = try await store.egressEvents(sessionID: s1, decision: nil, limit: 3, afterID: nil)
            #expect(first.items.map(\.host) == ["h1.example.com", "h2.example.com", "h3.example.com"])
            #expect(first.hasMore)
            let second = try await store.egressEvents(sessionID: s1, decision: nil, limit: 3, afterID: first.items.last?.id)
            #expect(second.items.map(\.host) == ["h4.example.com", "h5.example.com", "h6.example.com"])
            #expect(second.hasMore)
            let third = try await store.egressEvents(sessionID: s1, decision: nil, limit: 3, afterID: second.items.last?.id)
            #expect(third.items.map(\.host) == ["h7.example.com"])
            #expect(!third.hasMore)
            let past = try await store.egressEvents(sessionID: s1, decision: nil, limit: 3, afterID: third.items.last?.id)
            #expect(past.items.isEmpty)
            #expect(!past.hasMore)
            let exact = try await store.egressEvents(sessionID: s1, decision: nil, limit: 7, afterID: nil)
            #expect(exact.items.count == 7)
            #expect(!exact.hasMore, "a page that ends exactly at the last event has no more")
        }
    }

    @Test("the decision filter returns only that decision, paged the same way", arguments: StoreFactory.all)
    func decisionFilter(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (s1, _) = try await Fixture.twoSessions(store)
            try await store.appendEgressEvents((1...9).map { Fixture.egress($0, session: s1, allowed: $0 % 3 != 0) })
            let denied = try await Self.all(store, s1, decision: .denied, limit: 2)
            #expect(denied.map(\.host) == ["h3.example.com", "h6.example.com", "h9.example.com"])
            #expect(denied.allSatisfy { $0.decision == .denied })
            let allowed = try await Self.all(store, s1, decision: .allowed, limit: 4)
            #expect(allowed.map(\.host) == [1, 2, 4, 5, 7, 8].map { "h\($0).example.com" })
            let page = try await store.egressEvents(sessionID: s1, decision: .denied, limit: 1, afterID: nil)
            #expect(page.hasMore)
        }
    }

    @Test("a session's page never shows another session's events; unknown sessions are skipped", arguments: StoreFactory.all)
    func sessionsApart(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (s1, s2) = try await Fixture.twoSessions(store)
            let mixed = [Fixture.egress(1, session: s1), Fixture.egress(2, session: s2), Fixture.egress(3, session: Fixture.sessionID(99)),
                         Fixture.egress(4, session: s1)]
            #expect(try await store.appendEgressEvents(mixed) == 3)
            #expect(try await Self.all(store, s1).map(\.host) == ["h1.example.com", "h4.example.com"])
            #expect(try await Self.all(store, s2).map(\.host) == ["h2.example.com"])
            #expect(try await Self.all(store, Fixture.sessionID(99)).isEmpty)
            // A cursor from another session's page does not reveal anything else.
            let second = try await store.egressEvents(sessionID: s2, decision: nil, limit: 10, afterID: 0)
            #expect(second.items.map(\.sessionID) == [s2])
        }
    }

    @Test("totals count every stored event by protocol and decision, also after old events are dropped", arguments: StoreFactory.all)
    func totals(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (s1, s2) = try await Fixture.twoSessions(store)
            #expect(try await store.egressTotals().isEmpty)
            try await store.appendEgressEvents([
                Fixture.egress(1, session: s1, bytesUp: 5, bytesDown: 50),
                Fixture.egress(2, session: s2, bytesUp: 7, bytesDown: 70),
                Fixture.egress(3, session: s1, allowed: false),
                Fixture.egress(4, session: s1, protocolName: .dns, bytesUp: 1, bytesDown: 2),
            ])
            try await store.appendEgressEvents([Fixture.egress(5, session: s1, allowed: false)])
            let totals = try await store.egressTotals()
            #expect(totals == [
                EgressTotal(protocolName: "connect", decision: .allowed, events: 2, bytesUp: 12, bytesDown: 120),
                EgressTotal(protocolName: "connect", decision: .denied, events: 2, bytesUp: 0, bytesDown: 0),
                EgressTotal(protocolName: "dns", decision: .allowed, events: 1, bytesUp: 1, bytesDown: 2),
            ])
            let bound = PaddockStore.egressEventsPerSession
            try await store.appendEgressEvents((0..<bound).map { Fixture.egress($0, session: s2, protocolName: .http) })
            #expect(try await store.egressTotals().first { $0.protocolName == "http" }?.events == Int64(bound))
            #expect(try await Self.all(store, s2).count == bound)
        }
    }

    @Test("an empty batch stores nothing and a page size below 1 is refused", arguments: StoreFactory.all)
    func edges(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (s1, _) = try await Fixture.twoSessions(store)
            #expect(try await store.appendEgressEvents([]) == 0)
            await expectPaddockError(.invalidArgument) {
                _ = try await store.egressEvents(sessionID: s1, decision: nil, limit: 0, afterID: nil)
            }
        }
    }

    @Test("events survive reopening the store", arguments: StoreFactory.all)
    func durable(factory: StoreFactory) async throws {
        try await withTemporaryDirectory { directory in
            let store = try await factory.open(directory)
            let (s1, _) = try await Fixture.twoSessions(store)
            try await store.appendEgressEvents([Fixture.egress(1, session: s1)])
            await store.close()
            let reopened = try await factory.open(directory)
            let page = try await reopened.egressEvents(sessionID: s1, decision: nil, limit: 10, afterID: nil)
            await reopened.close()
            #expect(page.items.map(\.host) == ["h1.example.com"])
        }
    }
}
