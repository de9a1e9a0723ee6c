import Foundation
import PaddockCore
#if canImport(Glibc)
import Glibc
#endif

/// The content-addressed layer cache: `<layers>/<key>/rootfs/` plus `<layers>/<key>/meta.json`.
///
/// - Publication is atomic: a build happens in `<layers>/.tmp-<key>-<random>/` and is renamed to
///   `<layers>/<key>` only when the build closure returns; if it throws, the temporary directory
///   is removed and nothing is cached (the next `ensure` builds again).
/// - `ensure` is single-flight per key: concurrent callers wait for one build. Stores in other
///   processes sharing the directory are serialised by an `flock` on `<layers>/.lock-<key>`.
/// - Usage: `lookup`, `ensure` and `pin` record the last-used time in `meta.json`. Live sessions
///   `pin` every layer of their stack and `unpin` when they end; pins live in memory, so after a
///   restart the server re-pins the sessions it re-adopts (or passes them as `inUse` to `prune`).
/// - `prune` removes least-recently-used layers until the cache fits, never a pinned or in-use
///   one. A removed parent can be rebuilt later under the same key, so children stay valid.
public actor LayerStore {
    /// The directory holding the layers.
    public nonisolated let directory: URL
    private let now: @Sendable () -> Date
    private var inflight: [LayerKey: Task<Layer, any Error>] = [:]
    private var pins: [LayerKey: Int] = [:]

    /// Opens (creating if needed) the store in `directory`; `now` is the clock for usage times.
    public init(directory: URL, now: @escaping @Sendable () -> Date = { Date() }) throws(PaddockError) {
        self.directory = directory.standardizedFileURL
        self.now = now
        try ImageFiles.makeDirectory(self.directory.path)
    }

    /// Removes what interrupted builds and removals left (`.tmp-*`), skipping keys being built
    /// right now by anyone. Call once at startup; returns the names removed.
    @discardableResult
    public func removeStaleTemporaries() -> [String] {
        let root = directory.path
        return ImageFiles.removeStaleTemporaries(in: root) { name in
            // .tmp-<64 hex>-<token> while building; .tmp-del-... while being removed.
            let rest = name.dropFirst(ImageFiles.temporaryPrefix.count)
            guard let key = LayerKey(hex: String(rest.prefix(64))) else { return nil }
            return "\(root)/\(ImageFiles.lockPrefix)\(key.hex)"
        }
    }

    /// The published layer with `key`, or nil. A hit counts as a use.
    public func lookup(_ key: LayerKey) -> Layer? {
        let layerDirectory = path(of: key)
        guard ImageFiles.isDirectory("\(layerDirectory)/\(LayerMetadata.rootfsName)") else { return nil }
        touch(key)
        return layer(key)
    }

    /// The layer with `key`, running `build` first if it is not cached. Concurrent callers for
    /// one key share one run of `build`; its error is rethrown to all of them and not cached.
    public func ensure(_ key: LayerKey,
                       build: @escaping @Sendable (LayerBuildDirectory) async throws -> Void) async throws -> Layer {
        if let layer = lookup(key) { return layer }
        let task: Task<Layer, any Error>
        if let running = inflight[key] {
            task = running
        } else {
            let job = LayerBuildJob(directory: directory, key: key, now: now, build: build)
            task = Task { try await job.run() }
            inflight[key] = task
        }
        defer { if inflight[key] == task { inflight[key] = nil } }
        let layer = try await task.value
        touch(key)
        return layer
    }

    /// Marks `key` as used by one more live session (protects it from `prune`).
    public func pin(_ key: LayerKey) throws(PaddockError) {
        guard ImageFiles.isDirectory("\(path(of: key))/\(LayerMetadata.rootfsName)") else {
            throw PaddockError(.notFound, "layer \(key.short) is not in the cache; resolve it again")
        }
        pins[key, default: 0] += 1
        touch(key)
    }

    /// Releases one `pin` of `key` (extra calls are ignored).
    public func unpin(_ key: LayerKey) {
        guard let count = pins[key] else { return }
        pins[key] = count > 1 ? count - 1 : nil
    }

    /// Every published layer, least recently used first.
    public func list() -> [LayerUsage] {
        ImageFiles.names(in: directory.path)
            .compactMap { LayerKey(hex: $0) }
            .compactMap(usage)
            .sorted { ($0.lastUsed, $0.key) < ($1.lastUsed, $1.key) }
    }

    /// Total disk usage of the published layers, in bytes.
    public func totalBytes() -> Int64 {
        list().reduce(0) { $0 + $1.sizeBytes }
    }

    /// Removes least-recently-used layers until the cache holds at most `keepingBytes`, skipping
    /// pinned layers and those in `inUse`. Returns what was removed, oldest first. The cache may
    /// stay above the bound when the rest is in use.
    @discardableResult
    public func prune(keepingBytes: Int64, inUse: Set<LayerKey> = []) -> [LayerUsage] {
        let layers = list()
        var total = layers.reduce(0) { $0 + $1.sizeBytes }
        var removed: [LayerUsage] = []
        for layer in layers where total > keepingBytes {
            guard pins[layer.key] == nil, !inUse.contains(layer.key), inflight[layer.key] == nil else { continue }
            guard remove(layer.key) else { continue }
            total -= layer.sizeBytes
            removed.append(layer)
        }
        return removed
    }

    // MARK: - Internals

    private func path(of key: LayerKey) -> String { "\(directory.path)/\(key.hex)" }

    private func layer(_ key: LayerKey) -> Layer {
        Layer(key: key, path: URL(fileURLWithPath: "\(path(of: key))/\(LayerMetadata.rootfsName)", isDirectory: true))
    }

    /// Records a use now; usage tracking never fails a lookup, so write errors are ignored.
    private func touch(_ key: LayerKey) {
        let layerDirectory = path(of: key)
        var meta = LayerMetadata.read(layerDirectory: layerDirectory) ?? recoveredMetadata(layerDirectory)
        meta.lastUsed = now()
        try? meta.write(layerDirectory: layerDirectory, key: key)
    }

    /// Metadata for a layer whose `meta.json` is missing or damaged: measured now, dated as
    /// never used (so it is the first to go).
    private func recoveredMetadata(_ layerDirectory: String) -> LayerMetadata {
        LayerMetadata(sizeBytes: DirectoryTree.allocatedBytes(at: "\(layerDirectory)/\(LayerMetadata.rootfsName)"),
                      createdAt: .distantPast, lastUsed: .distantPast)
    }

    private func usage(_ key: LayerKey) -> LayerUsage? {
        let layerDirectory = path(of: key)
        guard ImageFiles.isDirectory("\(layerDirectory)/\(LayerMetadata.rootfsName)") else { return nil }
        let meta: LayerMetadata
        if let stored = LayerMetadata.read(layerDirectory: layerDirectory) {
            meta = stored
        } else {
            meta = recoveredMetadata(layerDirectory)
            try? meta.write(layerDirectory: layerDirectory, key: key)
        }
        return LayerUsage(key: key, path: layer(key).path, sizeBytes: meta.sizeBytes, createdAt: meta.createdAt,
                          lastUsed: meta.lastUsed, inUse: pins[key] ?? 0)
    }

    /// Makes the layer vanish at once (rename into a `.tmp-del-` name), then deletes it; a crash
    /// mid-delete leaves only a temporary that startup clean-up removes.
    private func remove(_ key: LayerKey) -> Bool {
        let doomed = "\(directory.path)/\(ImageFiles.temporaryPrefix)del-\(key.hex)-\(ImageFiles.token())"
        guard rename(path(of: key), doomed) == 0 else { return false }
        _ = ImageFiles.removeQuietly(doomed)
        return true
    }
}
