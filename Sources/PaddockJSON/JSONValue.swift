/// A JSON document or fragment.
///
/// Numbers keep their literal text (see ``JSONNumber``) and objects keep their
/// member order (see ``JSONObject``), so parsing and writing a document preserves
/// it exactly apart from whitespace and string escapes.
///
/// Literals make responses terse:
/// ```swift
/// let body: JSONValue = ["id": 7, "name": "pump", "tags": ["a", "b"], "owner": nil]
/// ```
public enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, keeping its literal text.
    case number(JSONNumber)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object with ordered, unique keys.
    case object(JSONObject)
}

extension JSONValue {
    /// `.string(s)` when `s` is non-nil, otherwise `.null`.
    public static func string(_ s: String?) -> JSONValue {
        if let s { .string(s) } else { .null }
    }

    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// The object, if this is an object.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { value } else { nil }
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { value } else { nil }
    }

    /// The Boolean, if this is `true` or `false`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    /// The number, if this is a number.
    public var numberValue: JSONNumber? {
        if case .number(let value) = self { value } else { nil }
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { true } else { false }
    }

    /// The member `key` if this is an object that has it, otherwise `nil`.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }
}

extension JSONValue: CustomStringConvertible {
    /// The value as compact JSON text.
    public var description: String {
        JSONWriter.string(self)
    }
}
