import PaddockCore

extension PaddockStore {
    /// Stores a new account; `.conflict` ("account name 'x' is taken", param `name`) on a clash.
    @discardableResult
    public func createAccount(id: String, name: String, isAdmin: Bool, createdAt: String) throws -> AccountRecord {
        let record = AccountRecord(id: id, name: name, isAdmin: isAdmin, createdAt: createdAt)
        try mappingConflicts(["accounts.name": PaddockError(.conflict, "account name '\(name)' is taken", param: "name")]) {
            try database.execute(
                "INSERT INTO accounts (id, name, is_admin, created_at) VALUES (?, ?, ?, ?)",
                [.text(id), .text(name), .bool(isAdmin), .text(createdAt)])
        }
        return record
    }

    /// Creates an account together with its first API key and its `default` environment, in
    /// one transaction: either all three exist afterwards or none does.
    /// The key's and the environment's `accountID` are set to the account's id.
    public func createAccount(_ account: AccountRecord, key: APIKeyRecord, defaultEnvironment: EnvironmentRecord) throws {
        try database.transaction {
            try createAccount(id: account.id, name: account.name, isAdmin: account.isAdmin, createdAt: account.createdAt)
            var key = key
            key.accountID = account.id
            try createAPIKey(key)
            var environment = defaultEnvironment
            environment.accountID = account.id
            try createEnvironment(environment)
        }
    }

    /// The account with this id, or `nil`.
    public nonisolated func account(id: String) throws -> AccountRecord? {
        try Self.account(id: id, in: readers.next())
    }

    static func account(id: String, in database: SQLiteDatabase) throws -> AccountRecord? {
        try database.query("SELECT id, name, is_admin, created_at FROM accounts WHERE id = ?", [.text(id)])
            .first.map(AccountRecord.init(row:))
    }

    /// The account with this id, or `.notFound` naming it.
    func existingAccount(id: String) throws -> AccountRecord {
        guard let account = try Self.account(id: id, in: database) else {
            throw PaddockError(.notFound, "account '\(id)' not found")
        }
        return account
    }

    /// How many accounts exist (0 means first start).
    public func accountCount() throws -> Int {
        try database.query("SELECT COUNT(*) AS count FROM accounts").first?.int("count") ?? 0
    }
}

extension AccountRecord {
    /// Reads the columns `id, name, is_admin, created_at`.
    init(row: SQLiteRow) throws {
        self.init(
            id: try row.string("id"), name: try row.string("name"), isAdmin: try row.bool("is_admin"),
            createdAt: try row.string("created_at"))
    }
}
