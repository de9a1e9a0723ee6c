import CSQLite
import Foundation
import PaddockCore

/// One connection to one SQLite database file; the only code in Paddock that calls `sqlite3_*`.
///
/// Values reach SQL only as bound parameters, never by string interpolation. The connection is
/// opened `NOMUTEX` and guarded by its own recursive lock, so a `transaction { }` body can run
/// further statements while other threads wait. Every acknowledged write is on disk
/// (`journal_mode=WAL`, `synchronous=FULL`) before the call returns.
package final class SQLiteDatabase: @unchecked Sendable {
    /// A result row.
    package typealias Row = SQLiteRow

    /// The file this connection is open on.
    package let path: String

    // Guarded by `lock`.
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    private var transactionDepth = 0
    private let lock = NSRecursiveLock()

    /// How long a statement waits for another connection's write lock before failing.
    package static let busyTimeoutMilliseconds: Int32 = 5000

    /// Opens (creating if needed) the database at `path` and applies the connection PRAGMAs.
    package init(path: String) throws {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(db)
            throw PaddockError(.internal, "sqlite: cannot open '\(path)': \(message)")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        do {
            try configure()
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
    }

    private func configure() throws {
        try checkError(sqlite3_busy_timeout(try openHandle(), Self.busyTimeoutMilliseconds), sql: nil)
        let mode = try query("PRAGMA journal_mode=WAL").first?.string("journal_mode")
        guard mode?.lowercased() == "wal" else {
            throw PaddockError(.internal, "sqlite: '\(path)' cannot use WAL journaling (got \(mode ?? "nothing"))")
        }
        try execute("PRAGMA synchronous=FULL")
        try execute("PRAGMA foreign_keys=ON")
    }

    // MARK: - Statements

    /// Runs one statement with bound parameters and returns how many rows it changed.
    @discardableResult
    package func execute(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> Int {
        try withStatement(sql, parameters) { db, statement in
            while true {
                let rc = sqlite3_step(statement)
                if rc == SQLITE_DONE { break }
                if rc != SQLITE_ROW { throw error(rc, sql: sql) }
            }
            return Int(sqlite3_changes64(db))
        }
    }

    /// Runs one statement with bound parameters and returns every result row.
    package func query(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> [Row] {
        try withStatement(sql, parameters) { _, statement in
            let columnCount = sqlite3_column_count(statement)
            var columnIndex: [String: Int] = [:]
            for column in 0..<columnCount {
                columnIndex[String(cString: sqlite3_column_name(statement, column))] = Int(column)
            }
            var rows: [Row] = []
            while true {
                let rc = sqlite3_step(statement)
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_ROW else { throw error(rc, sql: sql) }
                let values = (0..<columnCount).map { Self.columnValue(statement, $0) }
                rows.append(Row(columnIndex: columnIndex, values: values))
            }
            return rows
        }
    }

    /// Runs `body` in one transaction: `BEGIN IMMEDIATE` (so the write lock is taken before any
    /// read), `COMMIT` on return, `ROLLBACK` on throw. A nested call becomes a savepoint.
    @discardableResult
    package func transaction<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if transactionDepth > 0 {
            return try savepoint(body)
        }
        try execute("BEGIN IMMEDIATE")
        transactionDepth += 1
        let result: T
        do {
            result = try body()
            transactionDepth -= 1
        } catch {
            transactionDepth -= 1
            rollback()
            throw error
        }
        do {
            try execute("COMMIT")
        } catch {
            rollback()
            throw error
        }
        return result
    }

    private func savepoint<T>(_ body: () throws -> T) throws -> T {
        // SQLite resolves a repeated savepoint name to the innermost one, so one name suffices.
        try execute("SAVEPOINT nested")
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        do {
            let result = try body()
            try execute("RELEASE nested")
            return result
        } catch {
            _ = try? execute("ROLLBACK TO nested")
            _ = try? execute("RELEASE nested")
            throw error
        }
    }

    private func rollback() {
        // SQLite may already have rolled back by itself (e.g. after SQLITE_FULL or an I/O error).
        guard let db = handle, sqlite3_get_autocommit(db) == 0 else { return }
        _ = try? execute("ROLLBACK")
    }

    /// Runs `PRAGMA integrity_check` and returns its report: `"ok"` when the file is sound.
    package func integrityCheck() throws -> String {
        try query("PRAGMA integrity_check").map { $0.values.first.map(Self.describe) ?? "" }
            .joined(separator: "\n")
    }

    /// Finalizes every cached statement and closes the connection. Later calls throw; a second
    /// `close()` does nothing. With every statement finalized, `sqlite3_close_v2` cannot fail.
    package func close() {
        lock.lock()
        defer { lock.unlock() }
        guard let db = handle else { return }
        for statement in statements.values {
            sqlite3_finalize(statement)
        }
        statements.removeAll()
        handle = nil
        sqlite3_close_v2(db)
    }

    // MARK: - Internals

    private func openHandle() throws -> OpaquePointer {
        guard let handle else { throw PaddockError(.internal, "sqlite: database '\(path)' is closed") }
        return handle
    }

    /// Locks, fetches the cached prepared statement, binds, runs `body`, then resets the statement.
    private func withStatement<T>(
        _ sql: String, _ parameters: [SQLiteValue], _ body: (OpaquePointer, OpaquePointer) throws -> T
    ) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        let db = try openHandle()
        let statement = try prepared(sql, db)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(parameters, to: statement, sql: sql)
        return try body(db, statement)
    }

    private func prepared(_ sql: String, _ db: OpaquePointer) throws -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        var trailing = false
        let rc = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(db, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            if let tail {
                trailing = String(cString: tail).contains { !$0.isWhitespace }
            }
            return rc
        }
        try checkError(rc, sql: sql)
        guard let statement else {
            throw PaddockError(.internal, "sqlite: no statement in: \(sql)")
        }
        guard !trailing else {
            sqlite3_finalize(statement)
            throw PaddockError(.internal, "sqlite: more than one statement in one call: \(sql)")
        }
        statements[sql] = statement
        return statement
    }

    private func bind(_ parameters: [SQLiteValue], to statement: OpaquePointer, sql: String) throws {
        let expected = Int(sqlite3_bind_parameter_count(statement))
        guard expected == parameters.count else {
            throw PaddockError(.internal, "sqlite: \(parameters.count) parameters for \(expected) placeholders in: \(sql)")
        }
        for (offset, value) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null:
                rc = sqlite3_bind_null(statement, index)
            case .integer(let number):
                rc = sqlite3_bind_int64(statement, index, number)
            case .real(let number):
                rc = sqlite3_bind_double(statement, index, number)
            case .text(let text):
                let length = sqlite3_uint64(text.utf8.count)
                rc = text.withCString {
                    sqlite3_bind_text64(statement, index, $0, length, Self.transient, UInt8(SQLITE_UTF8))
                }
            case .blob(let bytes):
                rc = bytes.withUnsafeBytes { buffer in
                    // A nil base address would bind NULL; an empty blob is a zero-length blob.
                    guard let base = buffer.baseAddress else { return sqlite3_bind_zeroblob(statement, index, 0) }
                    return sqlite3_bind_blob64(statement, index, base, sqlite3_uint64(buffer.count), Self.transient)
                }
            }
            try checkError(rc, sql: sql)
        }
    }

    private static func columnValue(_ statement: OpaquePointer, _ column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            let text = sqlite3_column_text(statement, column)
            let count = Int(sqlite3_column_bytes(statement, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: text == nil ? 0 : count), as: UTF8.self))
        case SQLITE_BLOB:
            let bytes = sqlite3_column_blob(statement, column)
            let count = Int(sqlite3_column_bytes(statement, column))
            guard let bytes, count > 0 else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default:
            return .null
        }
    }

    private static func describe(_ value: SQLiteValue) -> String {
        switch value {
        case .null: return "null"
        case .integer(let number): return String(number)
        case .real(let number): return String(number)
        case .text(let text): return text
        case .blob(let bytes): return "<\(bytes.count) bytes>"
        }
    }

    /// Tells SQLite to copy bound text and blobs before the bind call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// `SQLITE_CONSTRAINT_UNIQUE` and `SQLITE_CONSTRAINT_PRIMARYKEY` (macros Swift cannot import).
    private static let uniqueViolationCodes: Set<Int32> = [SQLITE_CONSTRAINT | (8 << 8), SQLITE_CONSTRAINT | (6 << 8)]

    private func checkError(_ rc: Int32, sql: String?) throws {
        guard rc != SQLITE_OK, rc != SQLITE_ROW, rc != SQLITE_DONE else { return }
        throw error(rc, sql: sql)
    }

    /// Turns a result code into a `PaddockError`: `.conflict` for a unique violation (the message
    /// keeps SQLite's `table.column` list), `.internal` with SQLite's message for anything else.
    private func error(_ rc: Int32, sql: String?) -> PaddockError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
        if Self.uniqueViolationCodes.contains(rc) {
            return PaddockError(.conflict, "sqlite: \(message)")
        }
        return PaddockError(.internal, "sqlite: \(message) (code \(rc))" + (sql.map { " in: \($0)" } ?? ""))
    }
}
