import PaddockCore
import PaddockStore
import Testing

/// RecordStore contract: environment CRUD, naming and account isolation.
@Suite("RecordStore contract: environments")
struct EnvironmentContractTests {
    @Test("a created environment reads back by id and by name", arguments: StoreFactory.all)
    func createAndRead(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            var record = Fixture.environment(1, account: a, name: "data-science")
            record.description = "pandas and friends"
            try await store.createEnvironment(record)
            #expect(try await store.environment(id: record.id, accountID: a) == record)
            #expect(try await store.environment(name: "data-science", accountID: a) == record)
        }
    }

    @Test("an environment needs an existing account", arguments: StoreFactory.all)
    func unknownAccount(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            await expectPaddockError(.notFound) {
                try await store.createEnvironment(Fixture.environment(1, account: "acct_missing"))
            }
        }
    }

    @Test("an environment name is unique within its account", arguments: StoreFactory.all)
    func nameConflict(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, b) = try await Fixture.twoAccounts(store)
            try await store.createEnvironment(Fixture.environment(1, account: a, name: "web"))
            let error = await expectPaddockError(.conflict) {
                try await store.createEnvironment(Fixture.environment(2, account: a, name: "web"))
            }
            #expect(error?.message == "environment name 'web' is already used in this account")
            #expect(error?.param == "name")
            // Another account may use the name; names compare exactly, so case differs.
            try await store.createEnvironment(Fixture.environment(3, account: b, name: "web"))
            try await store.createEnvironment(Fixture.environment(4, account: a, name: "Web"))
            try await store.createEnvironment(Fixture.environment(5, account: a, name: "web "))
            let page = try await store.listEnvironments(accountID: a, limit: 10, afterID: nil, beforeID: nil, name: nil)
            #expect(page.items.map(\.name) == ["web ", "Web", "web"])
        }
    }

    @Test("another account's environment is invisible: absent to reads, not found to changes", arguments: StoreFactory.all)
    func accountIsolation(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, b) = try await Fixture.twoAccounts(store)
            let record = try await store.createEnvironment(Fixture.environment(1, account: a, name: "secret"))
            #expect(try await store.environment(id: record.id, accountID: b) == nil)
            #expect(try await store.environment(name: "secret", accountID: b) == nil)
            var stolen = record
            stolen.accountID = b
            stolen.name = "mine now"
            await expectPaddockError(.notFound) { try await store.updateEnvironment(stolen) }
            await expectPaddockError(.notFound) {
                _ = try await store.modifyEnvironment(id: record.id, accountID: b) { $0.name = "mine now" }
            }
            await expectPaddockError(.notFound) { try await store.deleteEnvironment(id: record.id, accountID: b) }
            let page = try await store.listEnvironments(accountID: b, limit: 10, afterID: nil, beforeID: nil, name: nil)
            #expect(page.items.isEmpty)
            #expect(try await store.environment(id: record.id, accountID: a) == record)
        }
    }

    @Test("update replaces the mutable fields and keeps the immutable ones", arguments: StoreFactory.all)
    func update(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            let record = try await store.createEnvironment(Fixture.environment(1, account: a, name: "old"))
            var changed = record
            changed.name = "new"
            changed.description = "now described"
            changed.configJSON = #"{"type":"cloud","networking":{"type":"allowlist","domains":[]}}"#
            changed.metadataJSON = #"{"team":"ml"}"#
            changed.updatedAt = Fixture.updatedAt
            changed.createdAt = "1970-01-01T00:00:00.000Z"
            let stored = try await store.updateEnvironment(changed)
            var expected = changed
            expected.createdAt = record.createdAt
            #expect(stored == expected)
            #expect(try await store.environment(id: record.id, accountID: a) == expected)
            #expect(try await store.environment(name: "old", accountID: a) == nil)

            expected.description = nil
            #expect(try await store.updateEnvironment(expected).description == nil)
        }
    }

    @Test("update to a taken name is a conflict and changes nothing", arguments: StoreFactory.all)
    func updateConflict(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            try await store.createEnvironment(Fixture.environment(1, account: a, name: "one"))
            let two = try await store.createEnvironment(Fixture.environment(2, account: a, name: "two"))
            var renamed = two
            renamed.name = "one"
            renamed.metadataJSON = #"{"lost":"yes"}"#
            let error = await expectPaddockError(.conflict) { try await store.updateEnvironment(renamed) }
            #expect(error?.message == "environment name 'one' is already used in this account")
            #expect(error?.param == "name")
            let modifyError = await expectPaddockError(.conflict) {
                _ = try await store.modifyEnvironment(id: two.id, accountID: a) { $0.name = "one" }
            }
            #expect(modifyError?.param == "name")
            #expect(try await store.environment(id: two.id, accountID: a) == two)
        }
    }

    @Test("update of a missing environment is not found", arguments: StoreFactory.all)
    func updateMissing(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            await expectPaddockError(.notFound) { try await store.updateEnvironment(Fixture.environment(9, account: a)) }
        }
    }

    @Test("a deleted environment is gone, and deleting it again is not found", arguments: StoreFactory.all)
    func delete(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            let record = try await store.createEnvironment(Fixture.environment(1, account: a, name: "tmp"))
            try await store.deleteEnvironment(id: record.id, accountID: a)
            #expect(try await store.environment(id: record.id, accountID: a) == nil)
            await expectPaddockError(.notFound) { try await store.deleteEnvironment(id: record.id, accountID: a) }
            // The name is free again.
            try await store.createEnvironment(Fixture.environment(2, account: a, name: "tmp"))
        }
    }

    @Test("modify applies the change in one step and ignores changes to immutable fields", arguments: StoreFactory.all)
    func modify(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, b) = try await Fixture.twoAccounts(store)
            let record = try await store.createEnvironment(Fixture.environment(1, account: a, name: "m"))
            let result = try await store.modifyEnvironment(id: record.id, accountID: a) { env in
                env.description = "patched"
                env.updatedAt = Fixture.updatedAt
                env.id = "env_other"
                env.accountID = b
                env.createdAt = "1970-01-01T00:00:00.000Z"
            }
            var expected = record
            expected.description = "patched"
            expected.updatedAt = Fixture.updatedAt
            #expect(result == expected)
            #expect(try await store.environment(id: record.id, accountID: a) == expected)
        }
    }

    @Test("a modify body that throws leaves the environment untouched", arguments: StoreFactory.all)
    func modifyThrows(factory: StoreFactory) async throws {
        struct Refused: Error {}
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            let record = try await store.createEnvironment(Fixture.environment(1, account: a, name: "m"))
            await #expect(throws: Refused.self) {
                _ = try await store.modifyEnvironment(id: record.id, accountID: a) { env in
                    env.name = "half-done"
                    throw Refused()
                }
            }
            #expect(try await store.environment(id: record.id, accountID: a) == record)
        }
    }

    @Test("SQL in a name is stored literally", arguments: StoreFactory.all)
    func injectionIsLiteral(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            let name = "x'); DROP TABLE environments;--"
            var record = Fixture.environment(1, account: a, name: name)
            record.description = "\" OR 1=1 --"
            record.metadataJSON = #"{"k":"'; DELETE FROM accounts; --"}"#
            try await store.createEnvironment(record)
            #expect(try await store.environment(name: name, accountID: a) == record)
            let page = try await store.listEnvironments(accountID: a, limit: 10, afterID: nil, beforeID: nil, name: name)
            #expect(page.items == [record])
            #expect(try await store.accountCount() == 2)
            #expect(try await store.environment(name: "' OR '1'='1", accountID: a) == nil)
        }
    }

    @Test("text survives byte for byte: unicode, quotes, empty strings", arguments: StoreFactory.all)
    func textRoundTrip(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            var record = Fixture.environment(1, account: a, name: "Ünïcødé 🚀 \"quoted\" \\ back")
            record.description = ""
            try await store.createEnvironment(record)
            #expect(try await store.environment(id: record.id, accountID: a) == record)
        }
    }

    @Test("a write followed by a reopen is still there", arguments: StoreFactory.all)
    func durableAcrossReopen(factory: StoreFactory) async throws {
        try await withTemporaryDirectory { directory in
            let store = try await factory.open(directory)
            let (a, _) = try await Fixture.twoAccounts(store)
            let record = try await store.createEnvironment(Fixture.environment(1, account: a, name: "kept"))
            let modified = try await store.modifyEnvironment(id: record.id, accountID: a) { $0.metadataJSON = #"{"v":"2"}"# }
            await store.close()

            let reopened = try await factory.open(directory)
            #expect(try await reopened.environment(id: record.id, accountID: a) == modified)
            #expect(try await reopened.accountCount() == 2)
            await reopened.close()
        }
    }

    @Test("a closed store refuses calls", arguments: StoreFactory.all)
    func closedStore(factory: StoreFactory) async throws {
        try await withTemporaryDirectory { directory in
            let store = try await factory.open(directory)
            await store.close()
            await expectPaddockError(.internal) { _ = try await store.accountCount() }
            await store.close()
        }
    }
}
