import PaddockCore

extension PaddockStore {
    /// Stores a new key for an existing account; `.notFound` if the account does not exist.
    @discardableResult
    public func createAPIKey(_ record: APIKeyRecord) throws -> APIKeyRecord {
        try database.transaction {
            _ = try existingAccount(id: record.accountID)
            // A taken id or hash means the caller's random generator repeated itself: `.internal`.
            try mappingConflicts([:]) {
                try database.execute(
                    "INSERT INTO api_keys (id, account_id, prefix, hash, name, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        .text(record.id), .text(record.accountID), .text(record.prefix), .text(record.hash),
                        .text(record.name), .text(record.createdAt),
                    ])
            }
        }
        return record
    }

    /// Stores a new key for an existing account; `hash` is the SHA-256 hex of the key.
    @discardableResult
    public func createAPIKey(
        id: String, accountID: String, prefix: String, hash: String, name: String, createdAt: String
    ) throws -> APIKeyRecord {
        try createAPIKey(
            APIKeyRecord(id: id, accountID: accountID, prefix: prefix, hash: hash, name: name, createdAt: createdAt))
    }

    /// The key with this SHA-256 hex hash and its account, or `nil` if no key has it.
    ///
    /// Last use is deliberately not recorded: that would turn every authenticated read into a
    /// durable write.
    public nonisolated func apiKey(hash: String) throws -> (APIKeyRecord, AccountRecord)? {
        let rows = try readers.next().query(
            """
            SELECT k.id, k.account_id, k.prefix, k.hash, k.name, k.created_at,
                   a.name AS account_name, a.is_admin AS account_is_admin,
                   a.created_at AS account_created_at
            FROM api_keys AS k JOIN accounts AS a ON a.id = k.account_id
            WHERE k.hash = ?
            """,
            [.text(hash)])
        guard let row = rows.first else { return nil }
        let account = AccountRecord(
            id: try row.string("account_id"), name: try row.string("account_name"),
            isAdmin: try row.bool("account_is_admin"), createdAt: try row.string("account_created_at"))
        return (try APIKeyRecord(row: row), account)
    }

    /// The account's keys, oldest first.
    public nonisolated func apiKeys(accountID: String) throws -> [APIKeyRecord] {
        try readers.next().query(
            """
            SELECT id, account_id, prefix, hash, name, created_at FROM api_keys
            WHERE account_id = ? ORDER BY created_at, id
            """,
            [.text(accountID)]
        ).map(APIKeyRecord.init(row:))
    }

    /// Deletes one of the account's keys; `.notFound` if the account has no key with this id.
    public func deleteAPIKey(id: String, accountID: String) throws {
        let changed = try database.execute(
            "DELETE FROM api_keys WHERE id = ? AND account_id = ?", [.text(id), .text(accountID)])
        guard changed == 1 else {
            throw PaddockError(.notFound, "api key '\(id)' not found")
        }
    }
}

extension APIKeyRecord {
    /// Reads the columns `id, account_id, prefix, hash, name, created_at`.
    init(row: SQLiteRow) throws {
        self.init(
            id: try row.string("id"), accountID: try row.string("account_id"), prefix: try row.string("prefix"),
            hash: try row.string("hash"), name: try row.string("name"), createdAt: try row.string("created_at"))
    }
}
