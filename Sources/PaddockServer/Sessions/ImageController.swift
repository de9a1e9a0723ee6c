import Foundation
import PaddockCore
import PaddockHTTP
import PaddockJSON
import PaddockRuntime

/// The image cache the server builds sessions from: the base image and the package layers.
struct ImageCache: Sendable {
    let baseImages: BaseImageBuilder
    let layers: LayerStore
    /// The layer cache's size bound; least recently used layers beyond it are removed.
    let limitBytes: Int64

    /// Trims the layer cache to its bound (pinned layers stay).
    @discardableResult
    func enforceLimit() async -> [LayerUsage] {
        await layers.prune(keepingBytes: limitBytes)
    }
}

/// `/v1/images` (admin only): show the cache, trim it, build the base image ahead of time.
/// Not in api.md's session contract; decided in docs/decisions.md.
struct ImageController: Sendable {
    let cache: ImageCache

    func addRoutes(to routes: inout RouteBuilder) {
        let cache = self.cache
        routes.authenticated("GET", "/v1/images") { request, caller in
            try request.checkQuery(allowed: [])
            try Self.requireAdmin(caller)
            let layers = await cache.layers.list()
            let base = await cache.baseImages.list().first { $0.key == cache.baseImages.key }
            let total = layers.reduce(0) { $0 + $1.sizeBytes }
            return JSONResponse.make(.object(JSONObject([
                ("base", base.map(Self.json) ?? .null),
                ("layers", .array(layers.reversed().map(Self.json))),
                ("total_bytes", .number(JSONNumber(Int(total)))),
                ("limit_bytes", .number(JSONNumber(Int(cache.limitBytes)))),
            ])))
        }
        routes.authenticated("POST", "/v1/images/prune") { request, caller in
            try request.checkQuery(allowed: [])
            try Self.requireAdmin(caller)
            let reader = try FieldReader(request.jsonBody(emptyIsObject: true), path: "", allowedKeys: ["keep_bytes"])
            let keep = try reader.int("keep_bytes", in: 0...Int.max) ?? Int(cache.limitBytes)
            let removed = await cache.layers.prune(keepingBytes: Int64(keep))
            return JSONResponse.make(.object(JSONObject([
                ("removed", .array(removed.map(Self.json))),
                ("total_bytes", .number(JSONNumber(Int(await cache.layers.totalBytes())))),
            ])))
        }
        routes.authenticated("POST", "/v1/images/build") { request, caller in
            try request.checkQuery(allowed: [])
            try Self.requireAdmin(caller)
            _ = try request.jsonBody(emptyIsObject: true)
            return JSONResponse.make(Self.json(try await cache.baseImages.ensure()))
        }
    }

    private static func requireAdmin(_ caller: Caller) throws {
        guard caller.isAdmin else {
            throw PaddockError(.permissionDenied, "only an admin key can manage the image cache; use the key in the data directory's admin.key")
        }
    }

    static func json(_ image: BaseImage) -> JSONValue {
        .object(JSONObject([
            ("key", .string(image.key.hex)),
            ("size_bytes", .number(JSONNumber(Int(image.sizeBytes ?? 0)))),
            ("created_at", .string(image.createdAt.map(Timestamp.format))),
        ]))
    }

    static func json(_ layer: LayerUsage) -> JSONValue {
        .object(JSONObject([
            ("key", .string(layer.key.hex)),
            ("size_bytes", .number(JSONNumber(Int(layer.sizeBytes)))),
            ("created_at", .string(Timestamp.format(layer.createdAt))),
            ("last_used_at", .string(Timestamp.format(layer.lastUsed))),
            ("in_use", .number(JSONNumber(layer.inUse))),
        ]))
    }
}
