import PaddockCore
import PaddockStore
import Testing

/// RecordStore contract: listing environments newest first with `after_id` / `before_id` cursors.
@Suite("RecordStore contract: environment pagination")
struct PaginationContractTests {
    /// Creates environments 0..<count in account `a` (id order = creation order) and one in `b`.
    private func seed(_ store: any RecordStore, count: Int) async throws -> (a: String, ids: [String]) {
        let (a, b) = try await Fixture.twoAccounts(store)
        for n in 0..<count {
            try await store.createEnvironment(Fixture.environment(n, account: a))
        }
        try await store.createEnvironment(Fixture.environment(count + 1_000, account: b))
        return (a, (0..<count).map(Fixture.environmentID))
    }

    @Test("after_id walks 250 environments newest first, each exactly once", arguments: StoreFactory.all)
    func walkForward(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, ids) = try await seed(store, count: 250)
            var seen: [String] = []
            var pages: [(count: Int, hasMore: Bool)] = []
            var cursor: String?
            repeat {
                let page = try await store.listEnvironments(
                    accountID: a, limit: 100, afterID: cursor, beforeID: nil, name: nil)
                seen += page.items.map(\.id)
                pages.append((page.items.count, page.hasMore))
                cursor = page.hasMore ? page.items.last?.id : nil
            } while cursor != nil
            #expect(seen == ids.reversed())
            #expect(pages.map(\.count) == [100, 100, 50])
            #expect(pages.map(\.hasMore) == [true, true, false])
        }
    }

    @Test("before_id walks back from the oldest to the newest", arguments: StoreFactory.all)
    func walkBackward(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, ids) = try await seed(store, count: 250)
            var seen: [String] = []
            var pages: [(count: Int, hasMore: Bool)] = []
            var cursor: String? = ids.first
            repeat {
                let page = try await store.listEnvironments(
                    accountID: a, limit: 100, afterID: nil, beforeID: cursor, name: nil)
                // Every page is itself newest first.
                #expect(page.items.map(\.id) == page.items.map(\.id).sorted(by: >))
                seen = page.items.map(\.id) + seen
                pages.append((page.items.count, page.hasMore))
                cursor = page.hasMore ? page.items.first?.id : nil
            } while cursor != nil
            #expect(seen == Array(ids.dropFirst().reversed()))
            #expect(pages.map(\.count) == [100, 100, 49])
            #expect(pages.map(\.hasMore) == [true, true, false])
        }
    }

    @Test("has_more is true only when more items exist", arguments: StoreFactory.all, [0, 1, 2, 3, 4, 7])
    func hasMoreAtEdges(factory: StoreFactory, count: Int) async throws {
        try await withStore(factory) { store in
            let (a, ids) = try await seed(store, count: count)
            let page = try await store.listEnvironments(accountID: a, limit: 3, afterID: nil, beforeID: nil, name: nil)
            #expect(page.items.map(\.id) == Array(ids.reversed().prefix(3)))
            #expect(page.hasMore == (count > 3))
        }
    }

    @Test("cursors at either end give an empty last page", arguments: StoreFactory.all)
    func cursorsAtTheEnds(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, ids) = try await seed(store, count: 5)
            let pastOldest = try await store.listEnvironments(
                accountID: a, limit: 3, afterID: ids.first, beforeID: nil, name: nil)
            #expect(pastOldest.items.isEmpty)
            #expect(!pastOldest.hasMore)
            let pastNewest = try await store.listEnvironments(
                accountID: a, limit: 3, afterID: nil, beforeID: ids.last, name: nil)
            #expect(pastNewest.items.isEmpty)
            #expect(!pastNewest.hasMore)
            let exactlyFull = try await store.listEnvironments(
                accountID: a, limit: 3, afterID: ids[3], beforeID: nil, name: nil)
            #expect(exactlyFull.items.map(\.id) == [ids[2], ids[1], ids[0]])
            #expect(!exactlyFull.hasMore)
        }
    }

    @Test("a cursor need not exist: it is a position in the order", arguments: StoreFactory.all)
    func deletedCursor(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, ids) = try await seed(store, count: 5)
            try await store.deleteEnvironment(id: ids[2], accountID: a)
            let page = try await store.listEnvironments(accountID: a, limit: 10, afterID: ids[2], beforeID: nil, name: nil)
            #expect(page.items.map(\.id) == [ids[1], ids[0]])
        }
    }

    @Test("the name filter matches exactly", arguments: StoreFactory.all)
    func nameFilter(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, ids) = try await seed(store, count: 5)
            let page = try await store.listEnvironments(accountID: a, limit: 10, afterID: nil, beforeID: nil, name: "env-3")
            #expect(page.items.map(\.id) == [ids[3]])
            #expect(!page.hasMore)
            let none = try await store.listEnvironments(accountID: a, limit: 10, afterID: nil, beforeID: nil, name: "ENV-3")
            #expect(none.items.isEmpty)
            let afterIt = try await store.listEnvironments(
                accountID: a, limit: 10, afterID: ids[3], beforeID: nil, name: "env-3")
            #expect(afterIt.items.isEmpty)
        }
    }

    @Test("bad paging arguments are rejected", arguments: StoreFactory.all)
    func badArguments(factory: StoreFactory) async throws {
        try await withStore(factory) { store in
            let (a, ids) = try await seed(store, count: 2)
            await expectPaddockError(.invalidArgument) {
                _ = try await store.listEnvironments(accountID: a, limit: 0, afterID: nil, beforeID: nil, name: nil)
            }
            await expectPaddockError(.invalidArgument) {
                _ = try await store.listEnvironments(accountID: a, limit: 5, afterID: ids[0], beforeID: ids[1], name: nil)
            }
        }
    }
}
