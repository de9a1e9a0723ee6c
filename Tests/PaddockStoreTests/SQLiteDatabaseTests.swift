import PaddockCore
import PaddockStore
import Testing

/// The thin SQLite wrapper: binding, reading, transactions, errors, connection settings.
@Suite("SQLiteDatabase")
struct SQLiteDatabaseTests {
    /// Opens a database file in a fresh directory with a scratch table `t`.
    private func withDatabase(_ body: (SQLiteDatabase) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            let database = try SQLiteDatabase(path: directory + "/test.db")
            defer { database.close() }
            try database.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v ANY) STRICT")
            try await body(database)
        }
    }

    @Test("the connection is WAL, synchronous FULL, with foreign keys and a busy timeout")
    func pragmas() async throws {
        try await withDatabase { database in
            var settings: [String: SQLiteValue] = [:]
            for name in ["journal_mode", "synchronous", "foreign_keys", "busy_timeout"] {
                settings[name] = try database.query("PRAGMA " + name).first?.values.first
            }
            #expect(settings == [
                "journal_mode": .text("wal"), "synchronous": .integer(2), "foreign_keys": .integer(1),
                "busy_timeout": .integer(5000),
            ])
        }
    }

    @Test("every value kind survives a round trip", arguments: [
        SQLiteValue.null, .integer(0), .integer(Int64.min), .integer(Int64.max), .real(-1.5),
        .text(""), .text("a\u{0}b"), .text("Ünïcødé 🚀"), .text("x'); DROP TABLE t;--"),
        .blob([]), .blob([0, 1, 255]),
    ])
    func roundTrip(value: SQLiteValue) async throws {
        try await withDatabase { database in
            try database.execute("INSERT INTO t (k, v) VALUES (?, ?)", [.text("key"), value])
            let rows = try database.query("SELECT v FROM t WHERE k = ?", [.text("key")])
            #expect(rows.first?["v"] == value)
            #expect(try database.query("SELECT COUNT(*) AS n FROM t").first?.int("n") == 1)
        }
    }

    @Test("a throwing transaction rolls back; a successful one commits")
    func transactions() async throws {
        struct Abort: Error {}
        try await withDatabase { database in
            #expect(throws: Abort.self) {
                try database.transaction {
                    try database.execute("INSERT INTO t (k, v) VALUES ('a', 1)")
                    throw Abort()
                }
            }
            #expect(try database.query("SELECT k FROM t").isEmpty)
            try database.transaction {
                try database.execute("INSERT INTO t (k, v) VALUES ('b', 2)")
            }
            #expect(try database.query("SELECT k FROM t").map { try $0.string("k") } == ["b"])
        }
    }

    @Test("a nested transaction that throws undoes only its own work")
    func nestedTransaction() async throws {
        struct Abort: Error {}
        try await withDatabase { database in
            try database.transaction {
                try database.execute("INSERT INTO t (k, v) VALUES ('outer', 1)")
                #expect(throws: Abort.self) {
                    try database.transaction {
                        try database.execute("INSERT INTO t (k, v) VALUES ('inner', 2)")
                        throw Abort()
                    }
                }
            }
            #expect(try database.query("SELECT k FROM t").map { try $0.string("k") } == ["outer"])
        }
    }

    @Test("a unique violation is a conflict naming the column")
    func uniqueViolation() async throws {
        try await withDatabase { database in
            try database.execute("INSERT INTO t (k, v) VALUES (?, ?)", [.text("a"), .integer(1)])
            let error = await expectPaddockError(.conflict) {
                try database.execute("INSERT INTO t (k, v) VALUES (?, ?)", [.text("a"), .integer(2)])
            }
            #expect(error?.message.hasSuffix("t.k") == true)
        }
    }

    @Test("misuse is an internal error with SQLite's message", arguments: [
        ("SELECT * FROM missing_table", [SQLiteValue]()),
        ("SELECT ?", []),
        ("SELECT 1; SELECT 2", []),
    ])
    func misuse(sql: String, parameters: [SQLiteValue]) async throws {
        try await withDatabase { database in
            await expectPaddockError(.internal) { _ = try database.query(sql, parameters) }
        }
    }

    @Test("a wrong column type is an internal error")
    func typeMismatch() async throws {
        try await withDatabase { database in
            let row = try #require(try database.query("SELECT 1 AS n, NULL AS z").first)
            await expectPaddockError(.internal) { _ = try row.string("n") }
            await expectPaddockError(.internal) { _ = try row.int("z") }
            await expectPaddockError(.internal) { _ = try row.int("nope") }
            #expect(try row.optionalString("z") == nil)
        }
    }

    @Test("statements are reused from the cache with fresh bindings")
    func statementReuse() async throws {
        try await withDatabase { database in
            for n in 0..<50 {
                try database.execute("INSERT INTO t (k, v) VALUES (?, ?)", [.text("k\(n)"), .integer(n)])
            }
            for n in 0..<50 {
                let rows = try database.query("SELECT v FROM t WHERE k = ?", [.text("k\(n)")])
                #expect(try rows.first?.int("v") == n)
            }
        }
    }
}
