import PaddockCore

extension PaddockStore {
    /// Stores a new environment of an existing account; `.conflict` (param `name`) if the
    /// account already has an environment with exactly this name.
    @discardableResult
    public func createEnvironment(_ record: EnvironmentRecord) throws -> EnvironmentRecord {
        try database.transaction {
            _ = try existingAccount(id: record.accountID)
            try mappingConflicts(Self.nameConflict(record.name)) {
                try database.execute(
                    """
                    INSERT INTO environments
                        (id, account_id, name, description, config_json, metadata_json, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(record.id), .text(record.accountID), .text(record.name), .text(record.description),
                        .text(record.configJSON), .text(record.metadataJSON), .text(record.createdAt),
                        .text(record.updatedAt),
                    ])
            }
        }
        return record
    }

    /// The account's environment with this id, or `nil` (also when another account owns it).
    public nonisolated func environment(id: String, accountID: String) throws -> EnvironmentRecord? {
        try readers.next().query(
            "SELECT \(Self.environmentColumns) FROM environments WHERE id = ? AND account_id = ?",
            [.text(id), .text(accountID)]
        ).first.map(EnvironmentRecord.init(row:))
    }

    /// The account's environment with exactly this name, or `nil`.
    public nonisolated func environment(name: String, accountID: String) throws -> EnvironmentRecord? {
        try readers.next().query(
            "SELECT \(Self.environmentColumns) FROM environments WHERE account_id = ? AND name = ?",
            [.text(accountID), .text(name)]
        ).first.map(EnvironmentRecord.init(row:))
    }

    /// Replaces the mutable columns (name, description, config, metadata, updated_at) of the
    /// environment `record.id` in `record.accountID`; returns the stored record. `.notFound` if
    /// it does not exist there, `.conflict` (param `name`) if the new name is taken.
    @discardableResult
    public func updateEnvironment(_ record: EnvironmentRecord) throws -> EnvironmentRecord {
        let rows = try mappingConflicts(Self.nameConflict(record.name)) {
            try database.query(
                """
                UPDATE environments
                SET name = ?, description = ?, config_json = ?, metadata_json = ?, updated_at = ?
                WHERE id = ? AND account_id = ?
                RETURNING \(Self.environmentColumns)
                """,
                [
                    .text(record.name), .text(record.description), .text(record.configJSON),
                    .text(record.metadataJSON), .text(record.updatedAt), .text(record.id), .text(record.accountID),
                ])
        }
        guard let row = rows.first else { throw Self.environmentNotFound(record.id) }
        return try EnvironmentRecord(row: row)
    }

    /// Reads, changes with `body` and writes back one environment in a single write
    /// transaction, so concurrent modifications (even from other processes) never lose a write.
    /// Changes `body` makes to `id`, `accountID` or `createdAt` are ignored; if it changes
    /// nothing, nothing is written. A throw from `body` leaves the environment untouched.
    public func modifyEnvironment(
        id: String, accountID: String, _ body: sending (inout EnvironmentRecord) throws -> Void
    ) throws -> EnvironmentRecord {
        try database.transaction {
            guard let original = try environment(id: id, accountID: accountID) else {
                throw Self.environmentNotFound(id)
            }
            var record = original
            try body(&record)
            record.id = original.id
            record.accountID = original.accountID
            record.createdAt = original.createdAt
            guard record != original else { return original }
            return try updateEnvironment(record)
        }
    }

    /// Deletes the account's environment; `.notFound` if there is none with this id.
    public func deleteEnvironment(id: String, accountID: String) throws {
        let changed = try database.execute(
            "DELETE FROM environments WHERE id = ? AND account_id = ?", [.text(id), .text(accountID)])
        guard changed == 1 else { throw Self.environmentNotFound(id) }
    }

    /// One page of the account's environments, newest first (by id, which sorts by creation).
    ///
    /// `afterID` returns the items after that id in this order (older ones); `beforeID` the
    /// items before it (newer ones), still newest first. `hasMore` says whether more items lie
    /// beyond the page in the walking direction. Each page is one range scan of the
    /// `(account_id, id)` index, so its cost does not grow with the number of environments.
    public nonisolated func listEnvironments(
        accountID: String, limit: Int, afterID: String?, beforeID: String?, name: String?
    ) throws -> (items: [EnvironmentRecord], hasMore: Bool) {
        guard limit >= 1 else {
            throw PaddockError.invalid("limit", "must be at least 1")
        }
        if afterID != nil, beforeID != nil {
            throw PaddockError.invalid("before_id", "cannot be combined with after_id; pass only one cursor")
        }
        let (sql, parameters) = Self.environmentListQuery(
            accountID: accountID, limit: limit == Int.max ? limit : limit + 1, afterID: afterID, beforeID: beforeID, name: name)
        var items = try readers.next().query(sql, parameters).map(EnvironmentRecord.init(row:))
        let hasMore = items.count > limit
        if hasMore { items.removeLast(items.count - limit) }
        if beforeID != nil { items.reverse() }
        return (items, hasMore)
    }

    /// The SQL and parameters of one list page (`limit` rows, ascending ids when `beforeID` is
    /// set, descending otherwise). Only fixed fragments are joined; every value is bound.
    package static func environmentListQuery(
        accountID: String, limit: Int, afterID: String?, beforeID: String?, name: String?
    ) -> (sql: String, parameters: [SQLiteValue]) {
        var sql = "SELECT \(environmentColumns) FROM environments WHERE account_id = ?"
        var parameters: [SQLiteValue] = [.text(accountID)]
        if let name {
            sql += " AND name = ?"
            parameters.append(.text(name))
        }
        if let afterID {
            sql += " AND id < ?"
            parameters.append(.text(afterID))
        } else if let beforeID {
            sql += " AND id > ?"
            parameters.append(.text(beforeID))
        }
        sql += beforeID != nil ? " ORDER BY id ASC LIMIT ?" : " ORDER BY id DESC LIMIT ?"
        parameters.append(.integer(limit))
        return (sql, parameters)
    }

    /// The columns `EnvironmentRecord.init(row:)` reads, in table order.
    package static let environmentColumns =
        "id, account_id, name, description, config_json, metadata_json, created_at, updated_at"

    static func nameConflict(_ name: String) -> [String: PaddockError] {
        ["environments.name": PaddockError(.conflict, "environment name '\(name)' is already used in this account", param: "name")]
    }

    static func environmentNotFound(_ id: String) -> PaddockError {
        PaddockError(.notFound, "environment '\(id)' not found")
    }
}

extension EnvironmentRecord {
    /// Reads the columns of `PaddockStore.environmentColumns`.
    init(row: SQLiteRow) throws {
        self.init(
            id: try row.string("id"), accountID: try row.string("account_id"), name: try row.string("name"),
            description: try row.optionalString("description"), configJSON: try row.string("config_json"),
            metadataJSON: try row.string("metadata_json"), createdAt: try row.string("created_at"),
            updatedAt: try row.string("updated_at"))
    }
}
