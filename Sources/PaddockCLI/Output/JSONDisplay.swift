import PaddockJSON

extension JSONValue {
    /// The value as people read it in tables and blocks: strings bare, `null` as `-`, arrays
    /// comma-separated, objects as compact JSON.
    var displayText: String {
        switch self {
        case .null: "-"
        case .bool(let value): value ? "true" : "false"
        case .number(let number): number.literal
        case .string(let text): text
        case .array(let items): items.isEmpty ? "-" : items.map(\.displayText).joined(separator: ", ")
        case .object: JSONWriter.string(self)
        }
    }
}

/// Display helpers shared by the commands' text output.
enum Display {
    /// An RFC 3339 timestamp without its fraction of a second:
    /// `2026-12-03T16:39:34.123Z` → `2026-12-03T16:39:34Z`.
    static func timestamp(_ value: JSONValue?) -> String {
        guard let text = value?.stringValue else { return value?.displayText ?? "-" }
        guard let dot = text.firstIndex(of: "."),
              let end = text[dot...].firstIndex(where: { !$0.isNumber && $0 != "." }) else { return text }
        return String(text[..<dot]) + String(text[end...])
    }

    /// A string field, or `-` when absent or null.
    static func text(_ value: JSONValue?) -> String {
        value?.displayText ?? "-"
    }

    /// A generic key/value block of an object's fields, skipping `type`.
    static func block(_ object: JSONValue) -> String {
        var block = DetailBlock()
        for (key, value) in object.objectValue ?? JSONObject() where key != "type" {
            let shown = key.hasSuffix("_at") ? timestamp(value) : value.displayText
            block.add(key.replacingUnderscores(), shown)
        }
        return block.render()
    }
}
