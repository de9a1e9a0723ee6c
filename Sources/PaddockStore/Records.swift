/// A stored account. Plain data: validation and wire shapes live in PaddockCore.
public struct AccountRecord: Sendable, Hashable {
    /// Immutable id chosen by the caller (e.g. `acct_<ULID>`).
    public var id: String
    /// Unique across the whole store; compared exactly.
    public var name: String
    /// Whether this account may create other accounts.
    public var isAdmin: Bool
    /// RFC 3339 creation time, as given by the caller.
    public var createdAt: String

    /// Creates a record.
    public init(id: String, name: String, isAdmin: Bool, createdAt: String) {
        self.id = id
        self.name = name
        self.isAdmin = isAdmin
        self.createdAt = createdAt
    }
}

/// A stored API key. The key itself is never stored, only its SHA-256 hash.
public struct APIKeyRecord: Sendable, Hashable {
    /// Immutable id chosen by the caller.
    public var id: String
    /// The owning account.
    public var accountID: String
    /// The first 8 characters of the key, for display (`pdk_AbCd`).
    public var prefix: String
    /// Lower-case hex SHA-256 of the whole key; unique, and what a request's key is looked up by.
    public var hash: String
    /// A label chosen by the owner; may be empty.
    public var name: String
    /// RFC 3339 creation time, as given by the caller.
    public var createdAt: String

    /// Creates a record.
    public init(id: String, accountID: String, prefix: String, hash: String, name: String, createdAt: String) {
        self.id = id
        self.accountID = accountID
        self.prefix = prefix
        self.hash = hash
        self.name = name
        self.createdAt = createdAt
    }
}

/// A stored environment. `configJSON` and `metadataJSON` are opaque JSON text that the caller
/// serialises and validates; the store never looks inside.
public struct EnvironmentRecord: Sendable, Hashable {
    /// Immutable id `env_<ULID>`; ids sort by creation time, which the list order relies on.
    public var id: String
    /// Immutable owning account.
    public var accountID: String
    /// Mutable; unique within the account, compared exactly (byte for byte).
    public var name: String
    /// Mutable; `nil` is stored as SQL `NULL`.
    public var description: String?
    /// Mutable; the environment's `config` object as JSON text.
    public var configJSON: String
    /// Mutable; the environment's `metadata` object as JSON text.
    public var metadataJSON: String
    /// Immutable RFC 3339 creation time, as given by the caller.
    public var createdAt: String
    /// RFC 3339 time of the last change, as given by the caller.
    public var updatedAt: String

    /// Creates a record.
    public init(
        id: String, accountID: String, name: String, description: String?, configJSON: String,
        metadataJSON: String, createdAt: String, updatedAt: String
    ) {
        self.id = id
        self.accountID = accountID
        self.name = name
        self.description = description
        self.configJSON = configJSON
        self.metadataJSON = metadataJSON
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// How many objects a store holds, for `/metrics`.
public struct StoreCounts: Sendable, Hashable {
    /// Number of accounts.
    public var accounts: Int
    /// Number of environments, across all accounts.
    public var environments: Int

    /// Creates counts.
    public init(accounts: Int, environments: Int) {
        self.accounts = accounts
        self.environments = environments
    }
}
