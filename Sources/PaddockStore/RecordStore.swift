import PaddockCore

/// The persistence seam the services talk to. `PaddockStore` (SQLite) implements it; another
/// backend (e.g. PostgreSQL) must pass the same contract tests (`Tests/PaddockStoreTests`).
///
/// Every call is scoped by account: another account's object behaves exactly like a missing
/// one. Lookups return `nil` for a missing object; changes throw `PaddockError` `.notFound`.
/// Other errors: `.conflict` for a taken name, `.internal` for storage failures.
public protocol RecordStore: Sendable {
    // MARK: Accounts

    /// Stores a new account; `.conflict` ("account name 'x' is taken", param `name`) on a clash.
    @discardableResult
    func createAccount(id: String, name: String, isAdmin: Bool, createdAt: String) async throws -> AccountRecord
    /// Creates an account, its first API key and its `default` environment atomically; the
    /// key's and the environment's `accountID` are set to the account's id.
    func createAccount(_ account: AccountRecord, key: APIKeyRecord, defaultEnvironment: EnvironmentRecord) async throws
    /// The account with this id, or `nil`.
    func account(id: String) async throws -> AccountRecord?
    /// How many accounts exist (0 means first start).
    func accountCount() async throws -> Int

    // MARK: API keys

    /// Stores a new key for an existing account; `.notFound` if the account does not exist.
    @discardableResult
    func createAPIKey(_ record: APIKeyRecord) async throws -> APIKeyRecord
    /// Stores a new key for an existing account; `hash` is the SHA-256 hex of the key.
    @discardableResult
    func createAPIKey(
        id: String, accountID: String, prefix: String, hash: String, name: String, createdAt: String
    ) async throws -> APIKeyRecord
    /// The key with this SHA-256 hex hash and its account, or `nil` if no key has it.
    func apiKey(hash: String) async throws -> (APIKeyRecord, AccountRecord)?
    /// The account's keys, oldest first.
    func apiKeys(accountID: String) async throws -> [APIKeyRecord]
    /// Deletes one of the account's keys; `.notFound` if the account has no key with this id.
    func deleteAPIKey(id: String, accountID: String) async throws

    // MARK: Environments

    /// Stores a new environment; `.conflict` (param `name`) if the account already uses the name.
    @discardableResult
    func createEnvironment(_ record: EnvironmentRecord) async throws -> EnvironmentRecord
    /// The account's environment with this id, or `nil` (also when another account owns it).
    func environment(id: String, accountID: String) async throws -> EnvironmentRecord?
    /// The account's environment with exactly this name, or `nil`.
    func environment(name: String, accountID: String) async throws -> EnvironmentRecord?
    /// Replaces the mutable columns (name, description, config, metadata, updated_at) of the
    /// environment `record.id` in `record.accountID`; returns the stored record.
    @discardableResult
    func updateEnvironment(_ record: EnvironmentRecord) async throws -> EnvironmentRecord
    /// Reads, changes with `body` and writes back one environment in a single transaction, so
    /// concurrent modifications never lose a write. Changes to immutable fields are ignored.
    func modifyEnvironment(
        id: String, accountID: String, _ body: sending (inout EnvironmentRecord) throws -> Void
    ) async throws -> EnvironmentRecord
    /// Deletes the account's environment; `.notFound` if there is none with this id.
    func deleteEnvironment(id: String, accountID: String) async throws
    /// One page of the account's environments, newest first. `afterID` continues towards older
    /// ones, `beforeID` goes back towards newer ones (at most one of them); `name` filters
    /// exactly. `hasMore` says whether more items lie beyond this page in the walking direction.
    func listEnvironments(
        accountID: String, limit: Int, afterID: String?, beforeID: String?, name: String?
    ) async throws -> (items: [EnvironmentRecord], hasMore: Bool)

    // MARK: Sessions

    /// Stores a new session of an existing account; `.notFound` if the account does not exist.
    /// The environment is not checked: the record carries its snapshot.
    @discardableResult
    func createSession(_ record: SessionRecord) async throws -> SessionRecord
    /// The account's session with this id (log included), or `nil` (also when another account owns it).
    func session(id: String, accountID: String) async throws -> SessionRecord?
    /// The session with this id in any account (log included), or `nil`; for internal use.
    func session(id: String) async throws -> SessionRecord?
    /// One page of the account's sessions, newest first, paged like `listEnvironments`;
    /// `status` and `environmentID` filter exactly. The records' `provisioningLog` is `nil`.
    func listSessions(
        accountID: String, status: String?, environmentID: String?, limit: Int, afterID: String?, beforeID: String?
    ) async throws -> (items: [SessionRecord], hasMore: Bool)
    /// Reads, changes with `body` and writes back one session (any account) in one transaction;
    /// only the mutable fields (status, error, termination reason, steps, log, start, end) are
    /// written. Returns the stored record; `.notFound` if there is no such session.
    func updateSession(id: String, _ body: sending (inout SessionRecord) throws -> Void) async throws -> SessionRecord
    /// Every session in any account whose status is one of `statuses`, oldest first; the
    /// records' `provisioningLog` is `nil`.
    func sessions(withStatuses statuses: [String]) async throws -> [SessionRecord]

    // MARK: Network audit log

    /// Appends audit events in one transaction, oldest first as given, and drops the oldest
    /// events of each session beyond `PaddockStore.egressEventsPerSession`. Events of a session
    /// that does not exist are skipped. Returns how many were stored.
    @discardableResult
    func appendEgressEvents(_ events: [EgressEvent]) async throws -> Int
    /// One page of a session's audit events, oldest first (ascending id), after the event
    /// `afterID` (exclusive) when given, only of `decision` when given. Not scoped by account:
    /// check that the caller owns the session first.
    func egressEvents(
        sessionID: String, decision: EgressEventRecord.Decision?, limit: Int, afterID: Int64?
    ) async throws -> (items: [EgressEventRecord], hasMore: Bool)
    /// Totals of every audit event ever stored, by protocol and decision (pairs with none are
    /// absent), for metrics.
    func egressTotals() async throws -> [EgressTotal]

    // MARK: Lifecycle

    /// How many objects the store holds (sessions by status), for metrics.
    func counts() async throws -> StoreCounts
    /// Flushes and closes the store; later calls throw.
    func close() async
}
