import PaddockJSON

/// User metadata on an object: at most 16 string pairs, keys 1–64 characters, values up to 512.
public struct Metadata: Sendable, Hashable {
    /// The pairs, in the order they were first set.
    public private(set) var pairs: [(key: String, value: String)]

    /// Empty metadata.
    public init() { pairs = [] }

    /// Limits of the API.
    public static let maxPairs = 16, maxKeyLength = 64, maxValueLength = 512

    /// Reads metadata from a create request: every value must be a string.
    public static func parse(_ value: JSONValue, param: String) throws(PaddockError) -> Metadata {
        var metadata = Metadata()
        try metadata.apply(patch: value, param: param, allowRemoval: false)
        return metadata
    }

    /// Applies an update: a string sets a key, `null` removes it (when `allowRemoval`).
    public mutating func apply(patch value: JSONValue, param: String, allowRemoval: Bool = true) throws(PaddockError) {
        guard case .object(let object) = value else {
            throw PaddockError.invalid(param, "must be an object of string values, not \(value.kindName)")
        }
        // A patch can at most set 16 keys and remove the 16 there are; refuse more before any work.
        if object.count > (allowRemoval ? 2 * Self.maxPairs : Self.maxPairs) {
            throw PaddockError.invalid(param, "has \(object.count) keys; at most \(Self.maxPairs) are allowed")
        }
        for (key, item) in object {
            let keyParam = "\(param).\(key)"
            let length = key.unicodeScalars.count
            if length == 0 || length > Self.maxKeyLength {
                throw PaddockError.invalid(keyParam, "keys must be 1 to \(Self.maxKeyLength) characters long")
            }
            if key.unicodeScalars.contains(where: TextRules.isControl) {
                throw PaddockError.invalid(keyParam, "key contains a control character; use printable characters only")
            }
            switch item {
            case .string(let text):
                let text = try TextRules.text(text, param: keyParam, maxLength: Self.maxValueLength)
                if let i = pairs.firstIndex(where: { $0.key == key }) { pairs[i].value = text } else { pairs.append((key, text)) }
            case .null where allowRemoval:
                pairs.removeAll { $0.key == key }
            default:
                throw PaddockError.invalid(keyParam, allowRemoval
                    ? "must be a string (or null to remove the key), not \(item.kindName)"
                    : "must be a string, not \(item.kindName)")
            }
        }
        if pairs.count > Self.maxPairs {
            throw PaddockError.invalid(param, "would have \(pairs.count) keys; at most \(Self.maxPairs) are allowed")
        }
    }

    /// The wire form.
    public var json: JSONValue { .object(JSONObject(pairs.map { ($0.key, JSONValue.string($0.value)) })) }

    public static func == (a: Metadata, b: Metadata) -> Bool {
        a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for p in pairs { hasher.combine(p.key); hasher.combine(p.value) }
    }
}
