import Foundation
import PaddockCore
import PaddockJSON

/// A built base root filesystem: `<images>/base-<key>/`, the lowest overlay lower dir of every
/// session. Immutable once published: nothing ever writes into it again.
public struct BaseImage: Sendable, Hashable {
    /// The content address: hash of the recipe bytes, the Debian mirror URL and the CA bundle.
    public let key: LayerKey
    /// The root filesystem directory.
    public let path: URL
    /// Disk usage in bytes, measured when it was built (nil if its metadata file is missing).
    public let sizeBytes: Int64?
    /// When it was published (nil if its metadata file is missing).
    public let createdAt: Date?
    /// How long `mmdebstrap` took (nil if its metadata file is missing).
    public let buildSeconds: Double?

    /// The directory name of the image with `key`.
    public static func directoryName(_ key: LayerKey) -> String { "base-\(key.hex)" }

    /// The directory of the image with `key` in `directory` (whether or not it exists yet).
    static func location(_ key: LayerKey, in directory: URL) -> URL {
        directory.appendingPathComponent(directoryName(key), isDirectory: true)
    }

    /// The metadata file name of the image with `key`, a sibling of its directory (not inside
    /// it, so that it never shows up in a session's root filesystem).
    static func metadataName(_ key: LayerKey) -> String { "base-\(key.hex).json" }

    /// The key encoded in a directory name `base-<64 hex>`, if it is one.
    static func key(fromDirectoryName name: String) -> LayerKey? {
        guard name.hasPrefix("base-"), !name.hasSuffix(".json") else { return nil }
        return LayerKey(hex: String(name.dropFirst(5)))
    }

    /// The published image with `key` in `directory`, or nil when there is none.
    static func read(key: LayerKey, in directory: URL) -> BaseImage? {
        let path = location(key, in: directory)
        guard ImageFiles.isDirectory(path.path) else { return nil }
        let meta = ImageFiles.readJSON(directory.appendingPathComponent(metadataName(key)).path)
        return BaseImage(key: key, path: path,
                         sizeBytes: meta?["size_bytes"]?.numberValue?.intValue.map(Int64.init),
                         createdAt: meta.flatMap { ImageFiles.date($0, "created_at_ms") },
                         buildSeconds: meta?["build_seconds"]?.numberValue?.doubleValue)
    }

    /// The metadata written next to the image.
    func metadata(recipe: BaseRecipe, mirror: String) -> JSONValue {
        .object(JSONObject([
            ("key", .string(key.hex)),
            ("size_bytes", .number(JSONNumber(Int(sizeBytes ?? 0)))),
            ("created_at_ms", .number(JSONNumber(ImageFiles.milliseconds(createdAt ?? Date())))),
            ("build_seconds", .number(JSONNumber(((buildSeconds ?? 0) * 10).rounded() / 10))),
            ("recipe", .string(recipe.source)),
            ("mirror", .string(mirror)),
        ]))
    }
}
