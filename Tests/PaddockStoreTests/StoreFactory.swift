import Foundation
import PaddockCore
import PaddockStore
import Testing

/// One `RecordStore` implementation under test: opens (or reopens) a store whose data lives
/// under `directory`. The contract suite runs every test once per factory in `all`.
struct StoreFactory: Sendable, CustomTestStringConvertible {
    /// Shown in test output, e.g. `sqlite`.
    let name: String
    /// Opens the store kept in `directory`; opening the same directory again sees the same data.
    let open: @Sendable (_ directory: String) async throws -> any RecordStore

    var testDescription: String { name }

    /// The SQLite store on a real file.
    static let sqlite = StoreFactory(name: "sqlite") { directory in
        try PaddockStore(path: directory + "/paddock.db")
    }

    /// Every implementation the contract runs against; add new backends here.
    static let all: [StoreFactory] = [.sqlite]
}

/// Runs `body` with a fresh directory that is removed afterwards.
@discardableResult
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("paddock-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}

/// Opens a store in a fresh directory, runs `body`, then closes the store.
@discardableResult
func withStore<T>(_ factory: StoreFactory, _ body: (any RecordStore) async throws -> T) async throws -> T {
    try await withTemporaryDirectory { directory in
        let store = try await factory.open(directory)
        do {
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }
}

/// Fixed timestamps and ids that sort like ULIDs.
enum Fixture {
    static let createdAt = "2026-12-03T16:39:34.123Z"
    static let updatedAt = "2026-12-04T08:00:00.000Z"

    /// `env_` + 26 characters that sort by `n`, like a ULID minted at time `n`.
    static func environmentID(_ n: Int) -> String {
        let digits = String(n)
        return "env_" + String(repeating: "0", count: 26 - digits.count) + digits
    }

    /// An environment record with default config and empty metadata.
    static func environment(
        _ n: Int, account: String, name: String? = nil, metadataJSON: String = "{}"
    ) -> EnvironmentRecord {
        EnvironmentRecord(
            id: environmentID(n), accountID: account, name: name ?? "env-\(n)", description: nil,
            configJSON: #"{"type":"cloud","networking":{"type":"unrestricted"}}"#, metadataJSON: metadataJSON,
            createdAt: createdAt, updatedAt: createdAt)
    }

    /// Creates accounts `acct_a` and `acct_b` and returns their ids.
    @discardableResult
    static func twoAccounts(_ store: any RecordStore) async throws -> (a: String, b: String) {
        try await store.createAccount(id: "acct_a", name: "alice", isAdmin: true, createdAt: createdAt)
        try await store.createAccount(id: "acct_b", name: "bob", isAdmin: false, createdAt: createdAt)
        return ("acct_a", "acct_b")
    }
}

/// Asserts that `body` throws a `PaddockError` with `code`, and returns it.
@discardableResult
func expectPaddockError(
    _ code: PaddockError.Code, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async -> PaddockError? {
    do {
        try await body()
        Issue.record("expected a \(code) error, got success", sourceLocation: sourceLocation)
        return nil
    } catch let error as PaddockError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected PaddockError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
