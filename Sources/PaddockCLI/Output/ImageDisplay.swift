import PaddockJSON

/// How the image cache looks in text output (`image ls`, `image prune`, `image build`).
enum ImageDisplay {
    /// Keys are shown by their first characters, like short commit hashes.
    static let shortKeyLength = 12

    /// The base line, the layer table and the total against the limit.
    static func listing(_ images: JSONValue) -> String {
        var sections: [String] = []
        if let base = images["base"], !base.isNull {
            sections.append("base image \(shortKey(base["key"]))  \(size(base["size_bytes"]))  built \(Display.timestamp(base["created_at"]))")
        } else {
            sections.append("no base image yet; `paddock image build` makes it (the first session does too)")
        }
        let layers = images["layers"]?.arrayValue ?? []
        if layers.isEmpty {
            sections.append("no cached layers")
        } else {
            sections.append(layerTable(layers))
        }
        sections.append("total \(size(images["total_bytes"])) of \(limit(images["limit_bytes"]))")
        return sections.joined(separator: "\n\n")
    }

    /// The layer table: KEY, SIZE, CREATED, LAST USED, IN USE.
    static func layerTable(_ layers: [JSONValue]) -> String {
        TextTable(headers: ["LAYER", "SIZE", "CREATED", "LAST USED", "IN USE"], rows: layers.map { layer in
            [shortKey(layer["key"]), size(layer["size_bytes"]), Display.timestamp(layer["created_at"]),
             Display.timestamp(layer["last_used_at"]), Display.text(layer["in_use"])]
        }).render()
    }

    /// The key without a `sha256:` prefix, cut to `shortKeyLength`.
    static func shortKey(_ value: JSONValue?) -> String {
        guard var key = value?.stringValue else { return "-" }
        if let colon = key.firstIndex(of: ":") { key = String(key[key.index(after: colon)...]) }
        return String(key.prefix(shortKeyLength))
    }

    /// The cache limit, or `no limit` when the server has none.
    static func limit(_ value: JSONValue?) -> String {
        guard let value, !value.isNull else { return "no limit" }
        return size(value) + " allowed"
    }

    /// A byte count for people in binary units: `512 B`, `1.5 KiB`, `412.3 MiB`, `1.2 GiB`.
    static func size(_ value: JSONValue?) -> String {
        guard let bytes = value?.numberValue?.intValue else { return "-" }
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var scaled = Double(bytes)
        var unit = 0
        while scaled >= 1024, unit < units.count - 1 {
            scaled /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let tenths = Int((scaled * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}
