/// A strict RFC 8259 JSON parser with precise error messages.
///
/// Accepts exactly one value surrounded by optional whitespace (space, tab, line
/// feed, carriage return) and rejects everything else: trailing commas, comments,
/// `NaN`/`Infinity`, leading zeros or `+`, unescaped control characters in strings,
/// unpaired surrogate escapes, invalid UTF-8, duplicate keys in an object, nesting
/// deeper than `maxDepth`, and number literals longer than ``maxNumberLength``.
///
/// Parsing is iterative (never recursive), runs in time linear in the input, and
/// reports the first problem as a ``JSONParseError`` with its byte offset.
public enum JSONParser {
    /// The default limit on nested arrays and objects.
    public static let defaultMaxDepth = 64

    /// The longest number literal accepted, in characters.
    public static let maxNumberLength = 100

    /// Parses one JSON document from UTF-8 bytes.
    ///
    /// Contiguous collections (`[UInt8]`, `ArraySlice<UInt8>`, `Data`, buffers) are
    /// parsed in place; others are copied first.
    ///
    /// - Parameter maxDepth: The deepest nesting of arrays and objects allowed;
    ///   `1` allows `[1]` but not `[[1]]`, `0` allows only scalars.
    public static func parse(
        _ bytes: some Collection<UInt8>,
        maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        if let result = bytes.withContiguousStorageIfAvailable({ parse(buffer: $0, maxDepth: maxDepth) }) {
            return try result.get()
        }
        return try parse(Array(bytes), maxDepth: maxDepth)
    }

    /// Parses one JSON document from a UTF-8 byte array.
    public static func parse(
        _ bytes: [UInt8],
        maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { parse(buffer: $0, maxDepth: maxDepth) }.get()
    }

    /// Parses one JSON document from raw UTF-8 memory, e.g. a request body buffer.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer,
        maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        try bytes.withMemoryRebound(to: UInt8.self) { parse(buffer: $0, maxDepth: maxDepth) }.get()
    }

    /// Parses one JSON document from text (its UTF-8 encoding).
    public static func parse(
        _ text: String,
        maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        var text = text
        return try text.withUTF8 { parse(buffer: $0, maxDepth: maxDepth) }.get()
    }

    private static func parse(
        buffer: UnsafeBufferPointer<UInt8>,
        maxDepth: Int
    ) -> Result<JSONValue, JSONParseError> {
        var reader = JSONReader(input: buffer, maxDepth: maxDepth)
        do {
            return .success(try reader.readDocument())
        } catch {
            return .failure(error)
        }
    }
}
