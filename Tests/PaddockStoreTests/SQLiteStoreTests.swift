import PaddockCore
import PaddockStore
import Testing

/// What only the SQLite store promises: its schema, migrations, file health and locking.
@Suite("PaddockStore on SQLite")
struct SQLiteStoreTests {
    @Test("migrations apply once and reopening is a no-op")
    func migrationsAreIdempotent() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/paddock.db"
            let store = try PaddockStore(path: path)
            try await store.createAccount(id: "acct_1", name: "admin", isAdmin: true, createdAt: Fixture.createdAt)
            await store.close()

            for _ in 0..<3 {
                let again = try PaddockStore(path: path)
                #expect(try await again.accountCount() == 1)
                await again.close()
            }

            let database = try SQLiteDatabase(path: path)
            defer { database.close() }
            #expect(try Migrations.version(of: database) == Migrations.latestVersion)
            let versions = try database.query("SELECT version FROM schema_migrations ORDER BY version")
                .map { try $0.int("version") }
            #expect(versions == Array(1...Migrations.latestVersion))
            try Migrations.apply(to: database)
            #expect(try database.query("SELECT COUNT(*) AS n FROM schema_migrations").first?.int("n")
                == Migrations.latestVersion)
        }
    }

    @Test("a database from a newer Paddock is refused with a clear message")
    func refusesNewerSchema() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/paddock.db"
            await (try PaddockStore(path: path)).close()
            let newer = Migrations.latestVersion + 1
            let database = try SQLiteDatabase(path: path)
            try database.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                [.integer(newer), .text(Fixture.createdAt)])
            database.close()

            let error = await expectPaddockError(.internal) { _ = try PaddockStore(path: path) }
            #expect(error?.message.contains("schema version \(newer)") == true)
            #expect(error?.message.contains("run a newer Paddock") == true)
        }
    }

    @Test("a failing migration is rolled back as a whole")
    func failingMigrationRollsBack() async throws {
        try await withTemporaryDirectory { directory in
            let database = try SQLiteDatabase(path: directory + "/m.db")
            defer { database.close() }
            let migrations = [
                Migration(version: 1, statements: ["CREATE TABLE one (x INTEGER)"]),
                Migration(version: 2, statements: ["CREATE TABLE two (x INTEGER)", "THIS IS NOT SQL"]),
            ]
            await expectPaddockError(.internal) { try Migrations.apply(migrations, to: database) }
            #expect(try Migrations.version(of: database) == 1)
            let tables = try database.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
                .map { try $0.string("name") }
            #expect(tables == ["one", "schema_migrations"])
        }
    }

    @Test("migrations must be numbered 1, 2, 3 without gaps")
    func migrationsInOrder() async throws {
        try await withTemporaryDirectory { directory in
            let database = try SQLiteDatabase(path: directory + "/m.db")
            defer { database.close() }
            let gap = [Migration(version: 1, statements: []), Migration(version: 3, statements: [])]
            await expectPaddockError(.internal) { try Migrations.apply(gap, to: database) }
        }
    }

    @Test("integrity_check is ok after a workload")
    func integrity() async throws {
        try await withTemporaryDirectory { directory in
            let store = try PaddockStore(path: directory + "/paddock.db")
            let (a, _) = try await Fixture.twoAccounts(store)
            for n in 0..<200 {
                try await store.createEnvironment(Fixture.environment(n, account: a))
            }
            for n in stride(from: 0, to: 200, by: 3) {
                try await store.deleteEnvironment(id: Fixture.environmentID(n), accountID: a)
            }
            #expect(try await store.integrityCheck() == "ok")
            await store.close()
        }
    }

    @Test("every list page is a range scan of the (account_id, id) index", arguments: [
        (nil, nil), ("env_0000000000000000000000000A", nil), (nil, "env_0000000000000000000000000A"),
    ] as [(String?, String?)])
    func listUsesIndex(afterID: String?, beforeID: String?) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/paddock.db"
            await (try PaddockStore(path: path)).close()
            let database = try SQLiteDatabase(path: path)
            defer { database.close() }
            let (sql, parameters) = PaddockStore.environmentListQuery(
                accountID: "acct_a", limit: 101, afterID: afterID, beforeID: beforeID, name: nil)
            let plan = try database.query("EXPLAIN QUERY PLAN " + sql, parameters).map { try $0.string("detail") }
            #expect(plan.count == 1, "\(plan)")
            #expect(plan.first?.hasPrefix("SEARCH environments USING INDEX environments_account_id (account_id=?") == true,
                    "\(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        }
    }

    @Test("two stores on one file lose no write under concurrent modifications")
    func twoConnections() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/paddock.db"
            let first = try PaddockStore(path: path)
            let second = try PaddockStore(path: path)
            let (a, _) = try await Fixture.twoAccounts(first)
            let record = try await first.createEnvironment(
                Fixture.environment(1, account: a, metadataJSON: #"{"counter":"0"}"#))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<100 {
                    let store = task.isMultiple(of: 2) ? first : second
                    group.addTask {
                        _ = try await store.modifyEnvironment(id: record.id, accountID: a) { env in
                            env.metadataJSON = try Metadata.incrementing(env.metadataJSON, adding: "task\(task)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let stored = try #require(try await second.environment(id: record.id, accountID: a))
            let metadata = try Metadata.decode(stored.metadataJSON)
            #expect(metadata["counter"] == "100")
            #expect(metadata.count == 101)
            await first.close()
            await second.close()
        }
    }
}
