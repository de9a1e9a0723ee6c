import PaddockCore
import PaddockStore
import Testing

/// RecordStore contract: listing sessions newest first, with cursors and filters.
@Suite("RecordStore contract: session lists")
struct SessionListContractTests {
    /// Sessions 0..<count in account `a`: environment 1 for even n, 2 for odd; status by n % 4
    /// (provisioning, running, failed, terminated). One more in account `b`.
    private func seed(_ store: any RecordStore, count: Int) async throws -> (a: String, ids: [String]) {
        let (a, b) = try await Fixture.twoAccounts(store)
        let statuses: [SessionStatus] = [.provisioning, .running, .failed, .terminated]
        for n in 0..<count {
            var record = Fixture.session(n, account: a, environment: n % 2 == 0 ? 1 : 2, status: statuses[n % 4])
            record.provisioningLog = "log of \(n)"
            try await store.createSession(record)
        }
        try await store.createSession(Fixture.session(count + 1_000, account: b, status: .running))
        return (a, (0..<count).map(Fixture.sessionID))
    }

    private func page(
        _ store: any RecordStore, _ a: String, status: SessionStatus? = nil, environment: Int? = nil, limit: Int,
        after: String? = nil, before: String? = nil
    ) async throws -> (items: [SessionRecord], hasMore: Bool) {
        try await store.listSessions(
            accountID: a, status: status?.rawValue, environmentID: environment.map(Fixture.environmentID), limit: limit,
            afterID: after, beforeID: before)
    }

    @Test("after_id walks 250 sessions newest first, each exactly once", arguments: StoreFactory.all)
    func walkForward(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, ids) = try await seed(store, count: 250)
            var seen: [String] = []
            var pages: [(count: Int, hasMore: Bool)] = []
            var cursor: String?
            repeat {
                let result = try await page(store, a, limit: 100, after: cursor)
                seen += result.items.map(\.id)
                pages.append((result.items.count, result.hasMore))
                cursor = result.hasMore ? result.items.last?.id : nil
            } while cursor != nil
            #expect(seen == ids.reversed())
            #expect(pages.map(\.count) == [100, 100, 50])
            #expect(pages.map(\.hasMore) == [true, true, false])
        }
    }

    @Test("before_id walks back from the oldest to the newest", arguments: StoreFactory.all)
    func walkBackward(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, ids) = try await seed(store, count: 25)
            var seen: [String] = []
            var counts: [Int] = []
            var cursor: String? = ids.first
            repeat {
                let result = try await page(store, a, limit: 10, before: cursor)
                #expect(result.items.map(\.id) == result.items.map(\.id).sorted(by: >))
                seen = result.items.map(\.id) + seen
                counts.append(result.items.count)
                cursor = result.hasMore ? result.items.first?.id : nil
            } while cursor != nil
            #expect(seen == Array(ids.dropFirst().reversed()))
            #expect(counts == [10, 10, 4])
        }
    }

    @Test("lists leave the provisioning log out; one read includes it", arguments: StoreFactory.all)
    func logsLeftOut(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, ids) = try await seed(store, count: 3)
            let result = try await page(store, a, limit: 10)
            #expect(result.items.allSatisfy { $0.provisioningLog == nil })
            #expect(try await store.session(id: ids[0], accountID: a)?.provisioningLog == "log of 0")
        }
    }

    @Test("has_more is true only when more items exist", arguments: StoreFactory.all, [0, 2, 3, 4])
    func hasMoreAtEdges(factory: StoreFactory, count: Int) async throws {
        try await withStore(factory) { store in
            let (a, ids) = try await seed(store, count: count)
            let result = try await page(store, a, limit: 3)
            #expect(result.items.map(\.id) == Array(ids.reversed().prefix(3)))
            #expect(result.hasMore == (count > 3))
        }
    }

    @Test("the status filter matches exactly and pages", arguments: StoreFactory.all, SessionStatus.allCases)
    func statusFilter(factory: StoreFactory, status: SessionStatus) async throws {
        try await withStore(factory) { store in
            let (a, ids) = try await seed(store, count: 20)
            let index = [SessionStatus.provisioning, .running, .failed, .terminated].firstIndex(of: status)!
            let expected = ids.enumerated().filter { $0.offset % 4 == index }.map(\.element).reversed()
            let first = try await page(store, a, status: status, limit: 3)
            #expect(first.items.map(\.id) == Array(expected.prefix(3)))
            #expect(first.items.allSatisfy { $0.status == status.rawValue })
            #expect(first.hasMore)
            let rest = try await page(store, a, status: status, limit: 3, after: first.items.last?.id)
            #expect(rest.items.map(\.id) == Array(expected.dropFirst(3)))
            #expect(!rest.hasMore)
        }
    }

    @Test("the environment filter matches exactly and combines with status", arguments: StoreFactory.all)
    func environmentFilter(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, ids) = try await seed(store, count: 8)
            let odd = try await page(store, a, environment: 2, limit: 10)
            #expect(odd.items.map(\.id) == [ids[7], ids[5], ids[3], ids[1]])
            let oddRunning = try await page(store, a, status: .running, environment: 2, limit: 10)
            #expect(oddRunning.items.map(\.id) == [ids[5], ids[1]])
            let evenRunning = try await page(store, a, status: .running, environment: 1, limit: 10)
            #expect(evenRunning.items.isEmpty)
            let none = try await page(store, a, environment: 3, limit: 10)
            #expect(none.items.isEmpty && !none.hasMore)
            let back = try await page(store, a, environment: 1, limit: 2, before: ids[0])
            #expect(back.items.map(\.id) == [ids[4], ids[2]])
            #expect(back.hasMore)
        }
    }

    @Test("bad paging arguments are rejected", arguments: StoreFactory.all)
    func badArguments(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, ids) = try await seed(store, count: 2)
            await expectPaddockError(.invalidArgument) { _ = try await page(store, a, limit: 0) }
            await expectPaddockError(.invalidArgument) { _ = try await page(store, a, limit: 5, after: ids[0], before: ids[1]) }
        }
    }
}

/// What only the SQLite store promises about sessions: the indexes behind each query, and the
/// upgrade of a database made before sessions existed.
@Suite("PaddockStore on SQLite: sessions")
struct SQLiteSessionTests {
    @Test("every session list page is a range scan of an account index, with or without filters", arguments: [
        (nil, nil, nil, nil, "sessions_account_id"),
        (nil, nil, "sess_0000000000000000000000000A", nil, "sessions_account_id"),
        (nil, nil, nil, "sess_0000000000000000000000000A", "sessions_account_id"),
        ("running", nil, "sess_0000000000000000000000000A", nil, "sessions_account_status"),
        (nil, "env_0000000000000000000000000A", nil, "sess_0000000000000000000000000A", "sessions_account_environment"),
    ] as [(String?, String?, String?, String?, String)])
    func listUsesIndex(status: String?, environmentID: String?, afterID: String?, beforeID: String?, index: String) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/paddock.db"
            await (try PaddockStore(path: path)).close()
            let database = try SQLiteDatabase(path: path)
            defer { database.close() }
            let (sql, parameters) = PaddockStore.sessionListQuery(
                accountID: "acct_a", status: status, environmentID: environmentID, limit: 101, afterID: afterID,
                beforeID: beforeID)
            let plan = try database.query("EXPLAIN QUERY PLAN " + sql, parameters).map { try $0.string("detail") }
            #expect(plan.count == 1, "\(plan)")
            #expect(plan.first?.hasPrefix("SEARCH sessions USING INDEX \(index) (account_id=?") == true, "\(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        }
    }

    @Test("both filters at once still avoid a sort")
    func listWithBothFilters() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/paddock.db"
            await (try PaddockStore(path: path)).close()
            let database = try SQLiteDatabase(path: path)
            defer { database.close() }
            let (sql, parameters) = PaddockStore.sessionListQuery(
                accountID: "acct_a", status: "running", environmentID: "env_0000000000000000000000000A", limit: 21,
                afterID: nil, beforeID: nil)
            let plan = try database.query("EXPLAIN QUERY PLAN " + sql, parameters).map { try $0.string("detail") }
            #expect(plan.first?.hasPrefix("SEARCH sessions USING INDEX sessions_account_") == true, "\(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        }
    }

    @Test("a database made before sessions existed is upgraded and keeps its data")
    func upgradeFromVersionOne() async throws {
        try await withTemporaryDirectory { directory in
            let legacyPath = directory + "/paddock.db"
            let legacy = try SQLiteDatabase(path: legacyPath)
            try Migrations.apply(Array(Migrations.all.prefix(1)), to: legacy)
            try legacy.execute("INSERT INTO accounts (id, name, is_admin, created_at) VALUES ('acct_a', 'alice', 1, ?)",
                               [.text(Fixture.createdAt)])
            #expect(try Migrations.version(of: legacy) == 1)
            #expect(try legacy.query("SELECT name FROM sqlite_master WHERE name = 'sessions'").isEmpty)
            legacy.close()
            let store = try PaddockStore(path: legacyPath)
            #expect(try await store.account(id: "acct_a")?.name == "alice")
            let record = try await store.createSession(Fixture.session(1, account: "acct_a"))
            #expect(try await store.session(id: record.id, accountID: "acct_a") == record)
            await store.close()

            let database = try SQLiteDatabase(path: legacyPath)
            defer { database.close() }
            #expect(try Migrations.version(of: database) == Migrations.latestVersion)
            #expect(Migrations.latestVersion >= 2)
        }
    }

    @Test("the recovery scan uses the status index")
    func statusScanUsesIndex() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/paddock.db"
            await (try PaddockStore(path: path)).close()
            let database = try SQLiteDatabase(path: path)
            defer { database.close() }
            let (sql, parameters) = PaddockStore.sessionStatusQuery(["provisioning", "running"])
            let plan = try database.query("EXPLAIN QUERY PLAN " + sql, parameters).map { try $0.string("detail") }
            #expect(plan.contains { $0.contains("USING COVERING INDEX sessions_status") || $0.contains("USING INDEX sessions_status") },
                    "\(plan)")
        }
    }
}
