/// The parser's working state over one input buffer (see ``JSONParser``).
///
/// Structure is handled with an explicit stack of open containers instead of
/// recursion, so hostile input cannot exhaust the call stack whatever `maxDepth`
/// is. Scalars (strings, numbers, literals) are read in `JSONReader+Scalars.swift`.
struct JSONReader {
    /// The whole document.
    let input: UnsafeBufferPointer<UInt8>
    /// The deepest nesting allowed.
    let maxDepth: Int
    /// The offset of the next unread byte.
    var position = 0
    /// Reused buffer for strings that contain escapes.
    var scratch: [UInt8] = []
    /// Finished elements and member values of the open containers, innermost last.
    private var pendingValues: [JSONValue] = []
    /// Keys of the open objects' members, innermost last.
    private var pendingKeys: [String] = []

    init(input: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.input = input
        self.maxDepth = maxDepth
    }

    /// Reads exactly one value surrounded by optional whitespace.
    mutating func readDocument() throws(JSONParseError) -> JSONValue {
        guard !input.isEmpty else {
            throw JSONParseError(offset: 0, reason: "empty body")
        }
        let value = try readValueTree()
        skipWhitespace()
        guard position == input.count else {
            throw failure("expected end of input after the JSON value, found \(found())")
        }
        return value
    }

    // MARK: - Structure

    /// An array or object that has been opened but not yet closed. Its finished
    /// elements (and keys) wait on the reader's shared `pendingValues` (and
    /// `pendingKeys`) stacks from `valueStart` (and `keyStart`) on, so each
    /// container is allocated once, at its exact size, when it closes.
    private struct OpenContainer {
        let isObject: Bool
        let valueStart: Int
        let keyStart: Int
        /// The keys read so far, kept only once an object outgrows a linear scan.
        var keySet: Set<String>?
    }

    /// Where a value is being read; only used to word errors.
    private enum ValueSite {
        case document, firstElement, afterComma, afterColon

        func expectation(found: String) -> String {
            switch self {
            case .document:
                return "expected a value, found \(found)"
            case .firstElement:
                return "expected a value or ']' after '[', found \(found)"
            case .afterComma where found == "']'":
                return "expected a value after ',', found ']' (trailing commas are not allowed)"
            case .afterComma:
                return "expected a value after ',', found \(found)"
            case .afterColon:
                return "expected a value after ':', found \(found)"
            }
        }
    }

    /// Reads one value, including any nested containers, leaving `position` just
    /// after it.
    private mutating func readValueTree() throws(JSONParseError) -> JSONValue {
        var open: [OpenContainer] = []
        var site = ValueSite.document

        while true {
            skipWhitespace()
            guard position < input.count else {
                throw failure(site.expectation(found: found()))
            }
            var value: JSONValue
            switch input[position] {
            case UInt8(ascii: "{"):
                try checkDepth(open.count)
                position += 1
                skipWhitespace()
                if position < input.count, input[position] == UInt8(ascii: "}") {
                    position += 1
                    value = .object(JSONObject())
                } else {
                    var container = OpenContainer(
                        isObject: true, valueStart: pendingValues.count, keyStart: pendingKeys.count)
                    try readKey(into: &container, afterComma: false)
                    open.append(container)
                    site = .afterColon
                    continue
                }
            case UInt8(ascii: "["):
                try checkDepth(open.count)
                position += 1
                skipWhitespace()
                if position < input.count, input[position] == UInt8(ascii: "]") {
                    position += 1
                    value = .array([])
                } else {
                    open.append(OpenContainer(
                        isObject: false, valueStart: pendingValues.count, keyStart: pendingKeys.count))
                    site = .firstElement
                    continue
                }
            case UInt8(ascii: "\""):
                value = .string(try readString())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = .number(try readNumber())
            case UInt8(ascii: "t"):
                try readLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try readLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try readLiteral("null")
                value = .null
            case UInt8(ascii: "+"):
                throw failure(site.expectation(found: found()) + " (numbers cannot start with '+')")
            case UInt8(ascii: "."):
                throw failure(site.expectation(found: found()) + " (numbers need a digit before '.')")
            default:
                throw failure(site.expectation(found: found()))
            }

            // Hand the finished value to the innermost open container; close
            // containers until one expects another value.
            while let top = open.indices.last {
                pendingValues.append(value)
                skipWhitespace()
                let next: UInt8? = position < input.count ? input[position] : nil
                if open[top].isObject {
                    if next == UInt8(ascii: ",") {
                        position += 1
                        try readKey(into: &open[top], afterComma: true)
                        site = .afterColon
                        break
                    } else if next == UInt8(ascii: "}") {
                        position += 1
                        value = .object(closeObject(open.removeLast()))
                    } else {
                        throw failure("expected ',' or '}' after an object member, found \(found())")
                    }
                } else {
                    if next == UInt8(ascii: ",") {
                        position += 1
                        site = .afterComma
                        break
                    } else if next == UInt8(ascii: "]") {
                        position += 1
                        value = .array(closeArray(open.removeLast()))
                    } else {
                        throw failure("expected ',' or ']' after an array element, found \(found())")
                    }
                }
            }
            if open.isEmpty {
                return value
            }
        }
    }

    /// Moves a closed array's elements off the pending stack.
    ///
    /// Popping from the back moves each value without retaining it again.
    private mutating func closeArray(_ container: OpenContainer) -> [JSONValue] {
        var elements = [JSONValue](repeating: .null, count: pendingValues.count - container.valueStart)
        for position in elements.indices.reversed() {
            elements[position] = pendingValues.removeLast()
        }
        return elements
    }

    /// Moves a closed object's members off the pending stacks.
    private mutating func closeObject(_ container: OpenContainer) -> JSONObject {
        var pairs = [JSONObject.Element](
            repeating: (key: "", value: .null), count: pendingKeys.count - container.keyStart)
        for position in pairs.indices.reversed() {
            pairs[position] = (key: pendingKeys.removeLast(), value: pendingValues.removeLast())
        }
        return JSONObject(uniquePairs: pairs)
    }

    /// Throws if opening another container inside `openCount` open ones would
    /// exceed `maxDepth`.
    private func checkDepth(_ openCount: Int) throws(JSONParseError) {
        guard openCount < maxDepth else {
            throw failure("nesting deeper than \(maxDepth) \(maxDepth == 1 ? "level" : "levels")")
        }
    }

    /// Reads `"key" :` (after `{` or `,`) onto `pendingKeys`, rejecting a key the
    /// object already has.
    private mutating func readKey(into container: inout OpenContainer, afterComma: Bool) throws(JSONParseError) {
        skipWhitespace()
        guard position < input.count, input[position] == UInt8(ascii: "\"") else {
            let found = found()
            if !afterComma {
                throw failure("expected a string key or '}' after '{', found \(found)")
            } else if found == "'}'" {
                throw failure("expected a string key after ',', found '}' (trailing commas are not allowed)")
            } else {
                throw failure("expected a string key after ',', found \(found)")
            }
        }
        let keyOffset = position
        let key = try readString()
        let memberCount = pendingKeys.count - container.keyStart
        let isDuplicate: Bool
        if memberCount < JSONObject.linearSearchLimit {
            isDuplicate = pendingKeys[container.keyStart...].contains(key)
        } else {
            if container.keySet == nil {
                container.keySet = Set(pendingKeys[container.keyStart...])
            }
            isDuplicate = container.keySet?.insert(key).inserted == false
        }
        if isDuplicate {
            throw JSONParseError(offset: keyOffset, reason: "duplicate key \(Self.quoted(key))")
        }
        pendingKeys.append(key)
        skipWhitespace()
        guard position < input.count, input[position] == UInt8(ascii: ":") else {
            throw failure("expected ':' after the object key \(Self.quoted(key)), found \(found())")
        }
        position += 1
    }

    // MARK: - Helpers

    /// Advances past JSON whitespace.
    mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                position += 1
            default:
                return
            }
        }
    }

    /// An error at the current position.
    func failure(_ reason: String) -> JSONParseError {
        JSONParseError(offset: position, reason: reason)
    }

    /// Describes the byte at `offset` (default: the current position) for an error.
    func found(at offset: Int? = nil) -> String {
        let offset = offset ?? position
        guard offset < input.count else { return "end of input" }
        return Self.describe(byte: input[offset])
    }

    /// `'x'` for printable ASCII, otherwise `byte 0xHH`.
    static func describe(byte: UInt8) -> String {
        if byte >= 0x20, byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        return "byte \(hex(byte))"
    }

    /// `0xHH` in upper case.
    static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return byte < 0x10 ? "0x0\(digits)" : "0x\(digits)"
    }

    /// A key quoted for an error message: control characters escaped, long keys cut.
    static func quoted(_ key: String) -> String {
        let limit = 40
        var text = ""
        for (count, scalar) in key.unicodeScalars.enumerated() {
            if count == limit {
                text += "…"
                break
            }
            if scalar.value < 0x20 || scalar == "'" || scalar == "\\" {
                text += scalar.escaped(asASCII: false)
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return "'\(text)'"
    }
}
