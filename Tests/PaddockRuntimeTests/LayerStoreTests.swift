import Foundation
import Testing
import PaddockCore
@testable import PaddockRuntime

/// The layer store on a real filesystem.
@Suite("Layer store")
struct LayerStoreTests {
    struct BuildError: Error {}

    /// Entries of the store directory that are not lock files.
    func visibleEntries(_ dir: ImageTestDirectory) -> [String] {
        dir.names().filter { !$0.hasPrefix(ImageFiles.lockPrefix) }
    }

    /// A build closure writing `size` bytes into the layer.
    func writer(_ size: Int, counter: LayerBuildCounter? = nil) -> @Sendable (LayerBuildDirectory) async throws -> Void {
        { directory in
            counter?.increment()
            try Data(repeating: 0x62, count: size).write(to: directory.rootfs.appendingPathComponent("payload"))
        }
    }

    @Test("a build is published under its key with its files and meta.json")
    func publishes() async throws {
        let dir = try ImageTestDirectory("layers")
        defer { dir.remove() }
        let store = try LayerStore(directory: dir.url)
        let key = layerTestKey("one")
        let layer = try await store.ensure(key) { directory in
            try Data("hello".utf8).write(to: directory.rootfs.appendingPathComponent("greeting"))
            try Data("scratch".utf8).write(to: directory.scratch.appendingPathComponent("work"))
        }
        #expect(layer.path.path == "\(dir.path)/\(key.hex)/rootfs")
        #expect(try String(contentsOf: layer.path.appendingPathComponent("greeting"), encoding: .utf8) == "hello")
        #expect(dir.names(key.hex) == ["meta.json", "rootfs"])
        #expect(visibleEntries(dir) == [key.hex])
        #expect(await store.lookup(key) == layer)
        #expect(await store.lookup(layerTestKey("absent")) == nil)
    }

    @Test("a build that throws leaves no layer and no temporary directory, and is not cached")
    func failedBuildLeavesNothing() async throws {
        let dir = try ImageTestDirectory("layers")
        defer { dir.remove() }
        let store = try LayerStore(directory: dir.url)
        let key = layerTestKey("fails")
        await #expect(throws: BuildError.self) {
            try await store.ensure(key) { directory in
                try Data(count: 10_000).write(to: directory.rootfs.appendingPathComponent("half-written"))
                throw BuildError()
            }
        }
        #expect(visibleEntries(dir).isEmpty)
        #expect(await store.lookup(key) == nil)
        let counter = LayerBuildCounter()
        _ = try await store.ensure(key, build: writer(10, counter: counter))
        #expect(counter.value == 1)
    }

    @Test("20 concurrent ensure calls for one key run the build once")
    func singleFlight() async throws {
        let dir = try ImageTestDirectory("layers")
        defer { dir.remove() }
        let store = try LayerStore(directory: dir.url)
        let key = layerTestKey("shared")
        let counter = LayerBuildCounter()
        let build: @Sendable (LayerBuildDirectory) async throws -> Void = { directory in
            counter.increment()
            try await Task.sleep(for: .milliseconds(300))
            try Data("x".utf8).write(to: directory.rootfs.appendingPathComponent("x"))
        }
        let layers = try await withThrowingTaskGroup(of: Layer.self) { group in
            for _ in 0..<20 { group.addTask { try await store.ensure(key, build: build) } }
            return try await group.reduce(into: [Layer]()) { $0.append($1) }
        }
        #expect(counter.value == 1)
        #expect(layers.count == 20)
        #expect(Set(layers).count == 1)
    }

    @Test("a cache hit does not run the build")
    func cacheHit() async throws {
        let dir = try ImageTestDirectory("layers")
        defer { dir.remove() }
        let key = layerTestKey("hit")
        let counter = LayerBuildCounter()
        _ = try await LayerStore(directory: dir.url).ensure(key, build: writer(1, counter: counter))
        let reopened = try LayerStore(directory: dir.url)
        _ = try await reopened.ensure(key, build: writer(1, counter: counter))
        #expect(counter.value == 1)
    }

    /// Three layers a, b, c built at t+0, t+10, t+20, then a used again at t+30.
    func threeLayers(_ dir: ImageTestDirectory, clock: LayerTestClock) async throws -> (LayerStore, [LayerKey]) {
        let store = try LayerStore(directory: dir.url, now: clock.now)
        let keys = ["a", "b", "c"].map(layerTestKey)
        for key in keys {
            _ = try await store.ensure(key, build: writer(40_000))
            clock.advance(seconds: 10)
        }
        _ = await store.lookup(keys[0])
        return (store, keys)
    }

    @Test("list reports size, last use and use count, least recently used first")
    func listing() async throws {
        let dir = try ImageTestDirectory("layers")
        defer { dir.remove() }
        let clock = LayerTestClock()
        let (store, keys) = try await threeLayers(dir, clock: clock)
        try await store.pin(keys[2])
        let listed = await store.list()
        #expect(listed.map(\.key) == [keys[1], keys[2], keys[0]])
        #expect(listed.allSatisfy { $0.sizeBytes >= 40_000 })
        #expect(listed.map(\.inUse) == [0, 1, 0])
        #expect(listed[2].lastUsed == Date(timeIntervalSince1970: 1_700_000_030))
        #expect(listed[2].createdAt == Date(timeIntervalSince1970: 1_700_000_000))
    }

    @Test("prune removes least recently used layers first until the cache fits")
    func pruneOrder() async throws {
        let dir = try ImageTestDirectory("layers")
        defer { dir.remove() }
        let (store, keys) = try await threeLayers(dir, clock: LayerTestClock())
        let total = await store.totalBytes()
        let removed = await store.prune(keepingBytes: total - 1)
        #expect(removed.map(\.key) == [keys[1]])
        #expect(await store.list().map(\.key) == [keys[2], keys[0]])
        let rest = await store.prune(keepingBytes: 0)
        #expect(rest.map(\.key) == [keys[2], keys[0]])
        #expect(visibleEntries(dir).isEmpty)
    }

    @Test("prune never removes pinned layers or layers named in use")
    func pruneSparesInUse() async throws {
        let dir = try ImageTestDirectory("layers")
        defer { dir.remove() }
        let (store, keys) = try await threeLayers(dir, clock: LayerTestClock())
        try await store.pin(keys[1])
        let removed = await store.prune(keepingBytes: 0, inUse: [keys[2]])
        #expect(removed.map(\.key) == [keys[0]])
        #expect(Set(await store.list().map(\.key)) == [keys[1], keys[2]])
        await store.unpin(keys[1])
        // pin() counted as a use of b, so c is now the older one.
        #expect(await store.prune(keepingBytes: 0).map(\.key) == [keys[2], keys[1]])
    }

    @Test("pinning a layer that is not cached is refused")
    func pinMissing() async throws {
        let dir = try ImageTestDirectory("layers")
        defer { dir.remove() }
        let store = try LayerStore(directory: dir.url)
        await #expect(throws: PaddockError.self) { try await store.pin(layerTestKey("nope")) }
    }

    @Test("startup clean-up removes stale temporaries but not layers or builds in progress")
    func staleTemporaries() async throws {
        let dir = try ImageTestDirectory("layers")
        defer { dir.remove() }
        let store = try LayerStore(directory: dir.url)
        let kept = layerTestKey("kept"), building = layerTestKey("building"), crashed = layerTestKey("crashed")
        _ = try await store.ensure(kept, build: writer(5))
        try dir.write(".tmp-\(crashed.hex)-0123456789abcdef/rootfs/usr/bin/half", size: 100)
        try dir.write(".tmp-del-\(kept.hex)-0000000000000001/rootfs/file", size: 100)
        try dir.write(".tmp-\(building.hex)-fedcba9876543210/rootfs/partial", size: 100)
        let lock = try await BuildLock.acquire("\(dir.path)/.lock-\(building.hex)")
        let removed = await store.removeStaleTemporaries()
        #expect(Set(removed) == [".tmp-\(crashed.hex)-0123456789abcdef", ".tmp-del-\(kept.hex)-0000000000000001"])
        #expect(visibleEntries(dir) == [".tmp-\(building.hex)-fedcba9876543210", kept.hex])
        lock.release()
        #expect(await store.removeStaleTemporaries() == [".tmp-\(building.hex)-fedcba9876543210"])
        #expect(await store.lookup(kept) != nil)
    }

    @Test("a second store on the same directory waits for the first one's build and reuses it")
    func crossStoreLock() async throws {
        let dir = try ImageTestDirectory("layers")
        defer { dir.remove() }
        let first = try LayerStore(directory: dir.url), second = try LayerStore(directory: dir.url)
        let key = layerTestKey("two stores")
        let counter = LayerBuildCounter()
        let build: @Sendable (LayerBuildDirectory) async throws -> Void = { directory in
            counter.increment()
            try await Task.sleep(for: .milliseconds(500))
            try Data("x".utf8).write(to: directory.rootfs.appendingPathComponent("x"))
        }
        async let a = first.ensure(key, build: build)
        async let b = second.ensure(key, build: build)
        #expect(try await a == b)
        #expect(counter.value == 1)
    }
}
