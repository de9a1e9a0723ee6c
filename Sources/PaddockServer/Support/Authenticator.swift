import PaddockCore
import PaddockHTTP
import PaddockStore
import Synchronization

/// Turns the API key of a request into a `Caller`. Keys are stored and looked up by their
/// SHA-256 hash; keys seen recently are remembered in memory (keyed by the presented key, so a
/// repeat caller costs one dictionary lookup instead of a hash and a query). Deleting a key
/// evicts it at once.
final class Authenticator: Sendable {
    private let store: PaddockStore
    private struct Cache { var entries: [String: Caller] = [:]; var deletedKeyIDs: Set<String> = [] }
    private let cache = Mutex(Cache())
    private static let cacheLimit = 10_000

    init(store: PaddockStore) { self.store = store }

    /// The caller behind the request's `Authorization: Bearer` or `x-api-key` header.
    func authenticate(_ request: HTTPRequest) async throws -> Caller {
        guard let key = try Self.presentedKey(request) else {
            throw PaddockError(.unauthenticated, "no API key; send 'Authorization: Bearer pdk_…' or 'x-api-key: pdk_…'")
        }
        return try caller(key: key)
    }

    /// Whether the headers (read through `header`) carry a valid key — for deciding, before a
    /// body is read, whether a large body may be accepted at all.
    func isAuthenticated(header: (String) -> String?) -> Bool {
        let value = header("authorization").map { value -> String in
            let text = Self.trimmed(value)
            let bearer = text.utf8.count > 7 && text.utf8.prefix(7).map({ $0 | 0x20 }) == Array("bearer ".utf8)
            return bearer ? Self.trimmed(String(text.dropFirst(7))) : text
        } ?? header("x-api-key").map(Self.trimmed)
        guard let value else { return false }
        return (try? caller(key: value)) != nil
    }

    /// The caller whose key is `key` (from the cache, else the store).
    private func caller(key: String) throws -> Caller {
        if let caller = cache.withLock({ $0.entries[key] }) { return caller }
        guard APIKey.isWellFormed(key) else {
            throw PaddockError(.unauthenticated, "the API key is not valid; keys look like 'pdk_' followed by 43 letters and digits")
        }
        let hash = APIKey.hash(key)
        guard let (record, account) = try store.apiKey(hash: hash),
              APIKey.constantTimeEquals(record.hash, hash) else {
            throw PaddockError(.unauthenticated, "the API key is not valid; check PADDOCK_API_KEY or create a key with 'paddock keys create'")
        }
        let caller = Caller(accountID: account.id, accountName: account.name, isAdmin: account.isAdmin, keyID: record.id)
        cache.withLock { c in
            // A key deleted while this lookup ran must not come back through the cache.
            guard !c.deletedKeyIDs.contains(record.id) else { return }
            if c.entries.count >= Self.cacheLimit { c.entries.removeAll(keepingCapacity: true) }
            c.entries[key] = caller
        }
        return caller
    }

    /// Forgets a deleted key.
    func evict(keyID: String) {
        cache.withLock { c in
            c.deletedKeyIDs.insert(keyID)
            c.entries = c.entries.filter { $0.value.keyID != keyID }
        }
    }

    private static func presentedKey(_ request: HTTPRequest) throws -> String? {
        let authorizations = request.headers.filter { $0.0.lowercased() == "authorization" }
        let apiKeys = request.headers.filter { $0.0.lowercased() == "x-api-key" }
        if authorizations.count + apiKeys.count > 1 {
            throw PaddockError(.unauthenticated, "more than one API key header; send exactly one 'Authorization: Bearer …' or 'x-api-key' header")
        }
        if let header = request.header("authorization") {
            let value = trimmed(header)
            if value.utf8.count > 7, value.utf8.prefix(7).map({ $0 | 0x20 }) == Array("bearer ".utf8) {
                return trimmed(String(value.dropFirst(7)))
            }
            return value
        }
        return request.header("x-api-key").map(trimmed)
    }

    /// The text without surrounding spaces and tabs (cheaper than Foundation's trimming, which
    /// showed up in profiles of the request path).
    private static func trimmed(_ text: String) -> String {
        let utf8 = text.utf8
        guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
              let last = utf8.lastIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        if first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) { return text }
        return String(text[first...last])
    }
}
