import Synchronization

/// The rendered JSON of recently read environments, so that reading an unchanged environment
/// costs neither a SQLite query nor JSON rendering (the hot path of `GET /v1/environments/{id}`).
///
/// Correctness rests on one rule: every write through `EnvironmentService` calls `invalidate`
/// after it commits, which drops the entry and advances the epoch; a reader stores what it
/// rendered only if the epoch has not moved since before it read the row. So a rendering of an
/// old row can never be stored after the write that replaced it.
final class EnvironmentCache: Sendable {
    private struct Entry { let accountID: String; let body: [UInt8] }
    private struct State { var entries: [String: Entry] = [:]; var epoch: UInt64 = 0 }
    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = capacity }

    /// The epoch to pass to `store` after reading a row.
    var epoch: UInt64 { state.withLock { $0.epoch } }

    /// The cached body of an environment, if it is cached for this account.
    func body(id: String, accountID: String) -> [UInt8]? {
        state.withLock { s in s.entries[id].flatMap { $0.accountID == accountID ? $0.body : nil } }
    }

    /// Stores a rendering unless a write happened since `epoch` was read.
    func store(id: String, accountID: String, body: [UInt8], readAt epoch: UInt64) {
        state.withLock { s in
            guard s.epoch == epoch else { return }
            if s.entries.count >= capacity { s.entries.removeAll(keepingCapacity: true) }
            s.entries[id] = Entry(accountID: accountID, body: body)
        }
    }

    /// Forgets an environment that was just written.
    func invalidate(id: String) {
        state.withLock { s in
            s.entries[id] = nil
            s.epoch &+= 1
        }
    }
}
