import Foundation
import PaddockCore
import PaddockJSON
import PaddockStore

/// Accounts and their API keys. Every account is created with its `default` environment and
/// a first key, in one transaction.
struct AccountService: Sendable {
    let store: PaddockStore
    let ids: IdentifierGenerator
    let environments: EnvironmentService

    /// A key that was just made: the record and the secret, which is shown only now.
    struct IssuedKey: Sendable {
        let record: APIKeyRecord
        let secret: String
    }

    /// Creates the first (admin) account when the store has none, and returns its key.
    func bootstrapAdmin() async throws -> IssuedKey? {
        guard try await store.accountCount() == 0 else { return nil }
        return try await create(name: "admin", isAdmin: true).key
    }

    /// Creates an account, its default environment and its first key.
    func create(name: String, isAdmin: Bool) async throws -> (account: AccountRecord, key: IssuedKey) {
        let now = Date()
        let stamp = Timestamp.format(now)
        let account = AccountRecord(id: ids.make(.account, now: now), name: name, isAdmin: isAdmin, createdAt: stamp)
        let key = makeKey(accountID: account.id, name: "default", now: now)
        try await store.createAccount(account, key: key.record, defaultEnvironment: environments.defaultEnvironment(accountID: account.id, now: now))
        return (account, key)
    }

    /// A new key for the caller's account.
    func createKey(accountID: String, name: String?) async throws -> IssuedKey {
        let key = makeKey(accountID: accountID, name: name, now: Date())
        try await store.createAPIKey(key.record)
        return key
    }

    /// Deletes one of the caller's keys; the last key of an account cannot be deleted.
    func deleteKey(id: String, accountID: String) async throws {
        let keys = try store.apiKeys(accountID: accountID)
        guard keys.contains(where: { $0.id == id }) else {
            throw PaddockError(.notFound, "no API key with id '\(Shown.text(id))' in this account; list them with GET /v1/api_keys")
        }
        if keys.count == 1 {
            throw PaddockError(.conflict, "'\(id)' is the account's last API key; create another key first, or you would be locked out")
        }
        try await store.deleteAPIKey(id: id, accountID: accountID)
    }

    private func makeKey(accountID: String, name: String?, now: Date) -> IssuedKey {
        let secret = APIKey.generate()
        let record = APIKeyRecord(id: ids.make(.apiKey, now: now), accountID: accountID,
                                  prefix: String(secret.prefix(8)), hash: APIKey.hash(secret), name: name ?? "",
                                  createdAt: Timestamp.format(now))
        return IssuedKey(record: record, secret: secret)
    }
}

/// The wire forms of accounts and keys.
enum AccountView {
    static func json(_ account: AccountRecord) -> JSONValue {
        ["id": .string(account.id), "type": "account", "name": .string(account.name),
         "is_admin": .bool(account.isAdmin), "created_at": .string(account.createdAt)]
    }

    static func json(_ key: APIKeyRecord) -> JSONValue {
        ["id": .string(key.id), "type": "api_key", "name": .string(key.name.isEmpty ? nil : key.name),
         "prefix": .string(key.prefix), "created_at": .string(key.createdAt)]
    }
}
