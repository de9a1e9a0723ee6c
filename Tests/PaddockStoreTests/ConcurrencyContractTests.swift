import Foundation
import PaddockCore
import PaddockStore
import Testing

/// RecordStore contract: concurrent read-modify-write through `modifyEnvironment`.
@Suite("RecordStore contract: concurrency")
struct ConcurrencyContractTests {
    @Test("100 concurrent modifications lose no write", arguments: StoreFactory.all)
    func concurrentModify(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            let record = try await store.createEnvironment(
                Fixture.environment(1, account: a, metadataJSON: #"{"counter":"0"}"#))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<100 {
                    group.addTask {
                        _ = try await store.modifyEnvironment(id: record.id, accountID: a) { env in
                            env.metadataJSON = try Metadata.incrementing(env.metadataJSON, adding: "task\(task)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let stored = try #require(try await store.environment(id: record.id, accountID: a))
            let metadata = try Metadata.decode(stored.metadataJSON)
            #expect(metadata["counter"] == "100")
            #expect(Set(metadata.keys) == Set((0..<100).map { "task\($0)" } + ["counter"]))
        }
    }
}

/// Metadata JSON helpers for the concurrency tests (metadata values are strings, as in the API).
enum Metadata {
    static func decode(_ json: String) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
    }

    /// Adds `key` and increments the `counter` entry.
    static func incrementing(_ json: String, adding key: String) throws -> String {
        var metadata = try decode(json)
        metadata[key] = "set"
        metadata["counter"] = String((Int(metadata["counter"] ?? "0") ?? 0) + 1)
        let data = try JSONEncoder().encode(metadata)
        return String(decoding: data, as: UTF8.self)
    }
}
