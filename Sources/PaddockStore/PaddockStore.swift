import PaddockCore

/// The SQLite-backed `RecordStore`: one database file, one writing connection behind an actor,
/// and a few reading connections that readers use directly.
///
/// The actor serialises every write on its own executor (see `StoreExecutor`), and each write
/// is one transaction that is durable on disk when the call returns. Reads of committed rows
/// (`nonisolated` methods) go to `readers` without waiting for the actor: in WAL mode a reader
/// sees every transaction committed before its statement began, so a client that wrote and
/// then reads sees its write, and a request that only reads never leaves its thread. Several stores (or
/// processes) may open the same file; SQLite's locking and `BEGIN IMMEDIATE` keep them correct.
public actor PaddockStore: RecordStore {
    let database: SQLiteDatabase
    let readers: ReaderPool
    private let executor = StoreExecutor(label: "paddock.store")

    /// Runs this actor's work off the cooperative thread pool.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// Opens the database file at `path` (creating it if needed) and applies pending
    /// migrations. Throws `.internal` if the file cannot be opened or was written by a newer
    /// Paddock.
    public init(path: String, readerCount: Int = 4) throws {
        let database = try SQLiteDatabase(path: path)
        do {
            try Migrations.apply(to: database)
            readers = try ReaderPool(path: path, count: readerCount)
        } catch {
            database.close()
            throw error
        }
        self.database = database
    }

    /// Runs SQLite's `PRAGMA integrity_check`; `"ok"` when the file is sound.
    public func integrityCheck() throws -> String {
        try database.integrityCheck()
    }

    /// Finalizes statements and closes the file; later calls throw `.internal`.
    public func close() {
        readers.close()
        database.close()
    }

    /// How many objects the store holds, for metrics.
    public func counts() throws -> StoreCounts {
        let row = try database.query(
            "SELECT (SELECT COUNT(*) FROM accounts) AS accounts, (SELECT COUNT(*) FROM environments) AS environments")
        guard let row = row.first else { return StoreCounts(accounts: 0, environments: 0) }
        return StoreCounts(accounts: try row.int("accounts"), environments: try row.int("environments"),
                           sessionsByStatus: try sessionCountsByStatus())
    }

    /// Runs `body`, turning a unique violation on a column of `conflicts` (SQLite names it
    /// `table.column`) into that caller-facing conflict. Any other unique violation is an id
    /// collision, a bug in the caller's id generation, and becomes `.internal`.
    @discardableResult
    func mappingConflicts<T>(_ conflicts: [String: PaddockError], _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PaddockError where error.code == .conflict {
            if let conflict = conflicts.first(where: { error.message.hasSuffix($0.key) })?.value {
                throw conflict
            }
            throw PaddockError(.internal, error.message)
        }
    }
}
