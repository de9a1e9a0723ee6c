import PaddockCore
import PaddockStore
import Testing

/// RecordStore contract: accounts and API keys. Runs once per `StoreFactory.all` entry.
@Suite("RecordStore contract: accounts and api keys")
struct AccountContractTests {
    @Test("a created account can be read back and counted", arguments: StoreFactory.all)
    func createAndRead(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            #expect(try await store.accountCount() == 0)
            let created = try await store.createAccount(
                id: "acct_1", name: "admin", isAdmin: true, createdAt: Fixture.createdAt)
            #expect(try await store.account(id: "acct_1") == created)
            #expect(created == AccountRecord(id: "acct_1", name: "admin", isAdmin: true, createdAt: Fixture.createdAt))
            #expect(try await store.accountCount() == 1)
        }
    }

    @Test("an unknown account is absent", arguments: StoreFactory.all)
    func unknownAccount(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let missing = try await store.account(id: "acct_missing")
            #expect(missing == nil)
        }
    }

    @Test("an account name is unique", arguments: StoreFactory.all)
    func accountNameConflict(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            try await store.createAccount(id: "acct_1", name: "x", isAdmin: false, createdAt: Fixture.createdAt)
            let error = await expectPaddockError(.conflict) {
                try await store.createAccount(id: "acct_2", name: "x", isAdmin: false, createdAt: Fixture.createdAt)
            }
            #expect(error?.message == "account name 'x' is taken")
            #expect(error?.param == "name")
            #expect(try await store.accountCount() == 1)
        }
    }

    @Test("an api key is found by its hash, together with its account", arguments: StoreFactory.all)
    func apiKeyByHash(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, _) = try await Fixture.twoAccounts(store)
            let key = try await store.createAPIKey(
                id: "key_1", accountID: a, prefix: "pdk_AbCd", hash: String(repeating: "ab", count: 32),
                name: "laptop", createdAt: Fixture.createdAt)
            let found = try #require(try await store.apiKey(hash: String(repeating: "ab", count: 32)))
            #expect(found.0 == key)
            #expect(found.0.hash == String(repeating: "ab", count: 32))
            #expect(found.1 == (try await store.account(id: a)))
            #expect(try await store.apiKey(hash: String(repeating: "cd", count: 32)) == nil)
        }
    }

    @Test("api keys are listed and deleted only by their own account", arguments: StoreFactory.all)
    func apiKeysPerAccount(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, b) = try await Fixture.twoAccounts(store)
            let first = try await store.createAPIKey(
                id: "key_1", accountID: a, prefix: "pdk_1111", hash: "h1", name: "one", createdAt: Fixture.createdAt)
            let second = try await store.createAPIKey(APIKeyRecord(
                id: "key_2", accountID: a, prefix: "pdk_2222", hash: "h2", name: "", createdAt: Fixture.updatedAt))
            try await store.createAPIKey(
                id: "key_3", accountID: b, prefix: "pdk_3333", hash: "h3", name: "bob's", createdAt: Fixture.createdAt)

            #expect(try await store.apiKeys(accountID: a) == [first, second])
            await expectPaddockError(.notFound) { try await store.deleteAPIKey(id: "key_1", accountID: b) }
            #expect(try await store.apiKey(hash: "h1") != nil)

            try await store.deleteAPIKey(id: "key_1", accountID: a)
            #expect(try await store.apiKey(hash: "h1") == nil)
            #expect(try await store.apiKeys(accountID: a) == [second])
            await expectPaddockError(.notFound) { try await store.deleteAPIKey(id: "key_1", accountID: a) }
        }
    }

    @Test("an api key needs an existing account", arguments: StoreFactory.all)
    func apiKeyForUnknownAccount(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            await expectPaddockError(.notFound) {
                try await store.createAPIKey(
                    id: "key_1", accountID: "acct_missing", prefix: "pdk_1111", hash: "h1", name: "",
                    createdAt: Fixture.createdAt)
            }
        }
    }

    @Test("an account is created with its key and default environment, all or nothing", arguments: StoreFactory.all)
    func atomicAccountCreation(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let account = AccountRecord(id: "acct_1", name: "carol", isAdmin: false, createdAt: Fixture.createdAt)
            let key = APIKeyRecord(id: "key_1", accountID: "ignored", prefix: "pdk_1111", hash: "h1", name: "default",
                                   createdAt: Fixture.createdAt)
            let environment = Fixture.environment(1, account: "ignored", name: "default")
            try await store.createAccount(account, key: key, defaultEnvironment: environment)
            #expect(try await store.account(id: "acct_1") == account)
            #expect(try await store.apiKey(hash: "h1")?.0.accountID == "acct_1")
            #expect(try await store.environment(name: "default", accountID: "acct_1")?.id == environment.id)
            #expect(try await store.counts() == StoreCounts(accounts: 1, environments: 1))

            // A second account whose key hash collides leaves nothing behind.
            let other = AccountRecord(id: "acct_2", name: "dave", isAdmin: false, createdAt: Fixture.createdAt)
            var otherKey = key
            otherKey.id = "key_2"
            await expectPaddockError(.internal) {
                try await store.createAccount(
                    other, key: otherKey, defaultEnvironment: Fixture.environment(2, account: "acct_2"))
            }
            // And so does one whose name is taken.
            let taken = AccountRecord(id: "acct_3", name: "carol", isAdmin: false, createdAt: Fixture.createdAt)
            otherKey.id = "key_3"
            otherKey.hash = "h3"
            await expectPaddockError(.conflict) {
                try await store.createAccount(
                    taken, key: otherKey, defaultEnvironment: Fixture.environment(3, account: "acct_3"))
            }
            #expect(try await store.counts() == StoreCounts(accounts: 1, environments: 1))
            #expect(try await store.apiKey(hash: "h3") == nil)
            #expect(try await store.account(id: "acct_2") == nil)
        }
    }
}
