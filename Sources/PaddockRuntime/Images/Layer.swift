import Foundation
import PaddockCore
import PaddockJSON

/// A published layer: `<layers>/<key>/rootfs` is its content (an overlay lower dir), never
/// modified after publication. Immutable value.
public struct Layer: Sendable, Hashable {
    /// The content address.
    public let key: LayerKey
    /// The directory holding the layer's files.
    public let path: URL
}

/// One layer as `LayerStore.list()` reports it.
public struct LayerUsage: Sendable, Hashable {
    /// The content address.
    public let key: LayerKey
    /// The directory holding the layer's files.
    public let path: URL
    /// Disk usage in bytes, measured at publication.
    public let sizeBytes: Int64
    /// When it was published.
    public let createdAt: Date
    /// When a session last resolved it (`lookup`, `ensure` or `pin`).
    public let lastUsed: Date
    /// How many live sessions have it pinned.
    public let inUse: Int
}

/// Where a build closure puts a layer, both on the store's filesystem.
public struct LayerBuildDirectory: Sendable {
    /// Empty at first; whatever is in it when the closure returns becomes the layer
    /// (e.g. the build container's overlay upper dir).
    public let rootfs: URL
    /// Empty scratch space for the build (e.g. the overlay work dir, which must be on the same
    /// filesystem as the upper dir); removed before publication.
    public let scratch: URL
}

/// The `meta.json` beside a layer's `rootfs`: size and times, rewritten atomically on each use.
struct LayerMetadata: Sendable, Hashable {
    var sizeBytes: Int64
    var createdAt: Date
    var lastUsed: Date

    static let fileName = "meta.json"
    static let rootfsName = "rootfs"

    /// Reads `<layerDirectory>/meta.json`; nil when missing or damaged.
    static func read(layerDirectory: String) -> LayerMetadata? {
        guard let object = ImageFiles.readJSON("\(layerDirectory)/\(fileName)"),
              let size = object["size_bytes"]?.numberValue?.intValue,
              let created = ImageFiles.date(object, "created_at_ms"),
              let used = ImageFiles.date(object, "last_used_ms")
        else { return nil }
        return LayerMetadata(sizeBytes: Int64(size), createdAt: created, lastUsed: used)
    }

    /// Writes `<layerDirectory>/meta.json` atomically.
    func write(layerDirectory: String, key: LayerKey) throws(PaddockError) {
        try ImageFiles.writeJSON(.object(JSONObject([
            ("key", .string(key.hex)),
            ("size_bytes", .number(JSONNumber(Int(sizeBytes)))),
            ("created_at_ms", .number(JSONNumber(ImageFiles.milliseconds(createdAt)))),
            ("last_used_ms", .number(JSONNumber(ImageFiles.milliseconds(lastUsed)))),
        ])), to: "\(layerDirectory)/\(Self.fileName)")
    }
}
