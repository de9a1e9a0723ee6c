import PaddockJSON

/// Reads one JSON object field by field, turning every type mismatch into a `PaddockError`
/// that names the field path, and rejecting any key the caller did not ask for.
///
/// Typical use: read each known key, then call `finish()` so that a typo such as `netwroking`
/// is a 400 instead of being silently ignored.
public struct FieldReader: Sendable {
    /// The path of the object itself, e.g. `config.networking` ("" for the body).
    public let path: String
    private let object: JSONObject
    private let allowedKeys: [String]

    /// Wraps `value`, which must be an object; `allowedKeys` lists every key the object may have.
    public init(_ value: JSONValue, path: String, allowedKeys: [String]) throws(PaddockError) {
        guard case .object(let object) = value else {
            let name = path.isEmpty ? "the request body" : path
            throw PaddockError(.invalidArgument, "\(name) must be a JSON object, not \(value.kindName)",
                               param: path.isEmpty ? nil : path)
        }
        self.path = path
        self.object = object
        self.allowedKeys = allowedKeys
        for key in object.keys where !allowedKeys.contains(key) {
            let known = allowedKeys.map { "'\($0)'" }.joined(separator: ", ")
            let param = self.path(key)
            throw PaddockError.invalid(param, "unknown field; \(path.isEmpty ? "the body" : path) accepts \(known)")
        }
    }

    /// The full path of a key in this object.
    public func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether the key is present (even as `null`).
    public func has(_ key: String) -> Bool { object[key] != nil }

    /// The raw value of a key, if present.
    public func raw(_ key: String) -> JSONValue? { object[key] }

    /// A string field; `nil` when absent. `null` is rejected unless `nullable`.
    public func string(_ key: String, nullable: Bool = false) throws(PaddockError) -> String? {
        guard let value = object[key] else { return nil }
        switch value {
        case .string(let s): return s
        case .null where nullable: return nil
        default: throw mismatch(key, value, expected: nullable ? "a string or null" : "a string")
        }
    }

    /// A required string field.
    public func requiredString(_ key: String) throws(PaddockError) -> String {
        guard object[key] != nil else { throw PaddockError.invalid(path(key), "is required") }
        return try string(key)!
    }

    /// A boolean field; `nil` when absent.
    public func bool(_ key: String) throws(PaddockError) -> Bool? {
        guard let value = object[key] else { return nil }
        guard case .bool(let b) = value else { throw mismatch(key, value, expected: "true or false") }
        return b
    }

    /// An integer field within `range`; `nil` when absent.
    public func int(_ key: String, in range: ClosedRange<Int>) throws(PaddockError) -> Int? {
        guard let value = object[key] else { return nil }
        guard case .number(let n) = value else { throw mismatch(key, value, expected: "an integer") }
        guard let i = n.intValue, range.contains(i) else {
            throw PaddockError.invalid(path(key), "\(n.literal) is out of range; use an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return i
    }

    /// An array of strings; `nil` when absent.
    public func strings(_ key: String, maxCount: Int) throws(PaddockError) -> [String]? {
        guard let value = object[key] else { return nil }
        guard case .array(let items) = value else { throw mismatch(key, value, expected: "an array of strings") }
        if items.count > maxCount {
            throw PaddockError.invalid(path(key), "has \(items.count) entries; at most \(maxCount) are allowed")
        }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw PaddockError.invalid("\(path(key))[\(i)]", "must be a string, not \(item.kindName)")
            }
            out.append(s)
        }
        return out
    }

    private func mismatch(_ key: String, _ value: JSONValue, expected: String) -> PaddockError {
        PaddockError.invalid(path(key), "must be \(expected), not \(value.kindName)")
    }
}

extension JSONValue {
    /// The JSON type name of this value, for error messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
