import PaddockCore
import PaddockHTTP
import PaddockStore
import Synchronization

/// Turns the API key of a request into a `Caller`. Keys are looked up by their SHA-256 hash;
/// recent answers are cached in memory (deleting a key evicts it at once).
final class Authenticator: Sendable {
    private let store: PaddockStore
    private let cache = Mutex([String: Caller]())
    private static let cacheLimit = 10_000

    init(store: PaddockStore) { self.store = store }

    /// The caller behind the request's `Authorization: Bearer` or `x-api-key` header.
    func authenticate(_ request: HTTPRequest) async throws -> Caller {
        guard let key = Self.presentedKey(request) else {
            throw PaddockError(.unauthenticated, "no API key; send 'Authorization: Bearer pdk_…' or 'x-api-key: pdk_…'")
        }
        guard APIKey.isWellFormed(key) else {
            throw PaddockError(.unauthenticated, "the API key is not valid; keys look like 'pdk_' followed by 43 letters and digits")
        }
        let hash = APIKey.hash(key)
        if let caller = cache.withLock({ $0[hash] }) { return caller }
        guard let (record, account) = try await store.apiKey(hash: hash),
              APIKey.constantTimeEquals(record.hash, hash) else {
            throw PaddockError(.unauthenticated, "the API key is not valid; check PADDOCK_API_KEY or create a key with 'paddock keys create'")
        }
        let caller = Caller(accountID: account.id, accountName: account.name, isAdmin: account.isAdmin, keyID: record.id)
        cache.withLock { entries in
            if entries.count >= Self.cacheLimit { entries.removeAll(keepingCapacity: true) }
            entries[hash] = caller
        }
        return caller
    }

    /// Forgets a deleted key.
    func evict(keyID: String) {
        cache.withLock { entries in entries = entries.filter { $0.value.keyID != keyID } }
    }

    private static func presentedKey(_ request: HTTPRequest) -> String? {
        if let header = request.header("authorization") {
            let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingCharacters(in: .whitespaces) }
            return header
        }
        return request.header("x-api-key")?.trimmingCharacters(in: .whitespaces)
    }
}
