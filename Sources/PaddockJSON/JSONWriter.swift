/// Writes ``JSONValue``s as UTF-8 JSON text.
///
/// Compact output has no whitespace (`{"a":1,"b":[true,null]}`); ``pretty(_:)``
/// indents by two spaces for humans. Object members are written in their stored
/// order and numbers as their literal. Strings escape `"`, `\` and control
/// characters (`\n \r \t \b \f`, others as `\u00XX`); everything else, including
/// `/` and non-ASCII characters, is written as raw UTF-8.
public enum JSONWriter {
    /// Appends the compact JSON text of `value` to `bytes`.
    ///
    /// Reuse one buffer (e.g. `removeAll(keepingCapacity: true)` between
    /// responses) to avoid reallocating it.
    public static func write(_ value: JSONValue, into bytes: inout [UInt8]) {
        writeValue(value, into: &bytes, indent: nil)
    }

    /// The compact JSON text of `value` as UTF-8 bytes.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        writeValue(value, into: &bytes, indent: nil)
        return bytes
    }

    /// The compact JSON text of `value`.
    public static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// Appends `value` as JSON indented by two spaces per level, with `": "`
    /// between keys and values, to `bytes`. Empty arrays and objects are written
    /// as `[]` and `{}`; no trailing newline is added.
    public static func writePretty(_ value: JSONValue, into bytes: inout [UInt8]) {
        writeValue(value, into: &bytes, indent: 0)
    }

    /// `value` as JSON indented by two spaces per level (see
    /// ``writePretty(_:into:)``).
    public static func pretty(_ value: JSONValue) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        writePretty(value, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Values

    /// Writes `value`; `indent` is the current nesting level when pretty
    /// printing, or `nil` for compact output.
    private static func writeValue(_ value: JSONValue, into bytes: inout [UInt8], indent: Int?) {
        switch value {
        case .null:
            bytes.append(contentsOf: "null".utf8)
        case .bool(let flag):
            bytes.append(contentsOf: flag ? "true".utf8 : "false".utf8)
        case .number(let number):
            bytes.append(contentsOf: number.literal.utf8)
        case .string(let string):
            writeString(string, into: &bytes)
        case .array(let elements):
            guard !elements.isEmpty else {
                bytes.append(contentsOf: "[]".utf8)
                return
            }
            let inner = indent.map { $0 + 1 }
            bytes.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                writeNewline(indent: inner, into: &bytes)
                writeValue(element, into: &bytes, indent: inner)
            }
            writeNewline(indent: indent, into: &bytes)
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            guard !object.isEmpty else {
                bytes.append(contentsOf: "{}".utf8)
                return
            }
            let inner = indent.map { $0 + 1 }
            bytes.append(UInt8(ascii: "{"))
            var first = true
            for (key, member) in object {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                writeNewline(indent: inner, into: &bytes)
                writeString(key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                if inner != nil { bytes.append(UInt8(ascii: " ")) }
                writeValue(member, into: &bytes, indent: inner)
            }
            writeNewline(indent: indent, into: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// In pretty mode, starts a new line indented to `indent` levels.
    private static func writeNewline(indent: Int?, into bytes: inout [UInt8]) {
        guard let indent else { return }
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }

    // MARK: - Strings

    /// Writes `string` quoted and escaped. Runs of bytes that need no escaping are
    /// copied in bulk.
    private static func writeString(_ string: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        let handled: Void? = string.utf8.withContiguousStorageIfAvailable { utf8 in
            writeEscaped(utf8, into: &bytes)
        }
        if handled == nil {
            var copy = string
            copy.withUTF8 { writeEscaped($0, into: &bytes) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>, into bytes: inout [UInt8]) {
        var runStart = 0
        for position in utf8.indices {
            let byte = utf8[position]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                continue
            }
            if runStart < position {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<position]))
            }
            runStart = position + 1
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            default:
                let hexDigits: StaticString = "0123456789abcdef"
                bytes.append(contentsOf: "u00".utf8)
                bytes.append(hexDigits.utf8Start[Int(byte >> 4)])
                bytes.append(hexDigits.utf8Start[Int(byte & 0x0F)])
            }
        }
        if runStart < utf8.count {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
    }
}
