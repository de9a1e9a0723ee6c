import Testing
import PaddockJSON

/// An input the parser must reject, with where and why.
struct InvalidCase: Sendable, CustomTestStringConvertible {
    let bytes: [UInt8]
    let offset: Int
    let reason: String
    let label: String

    init(_ text: String, _ offset: Int, _ reason: String) {
        bytes = Array(text.utf8)
        self.offset = offset
        self.reason = reason
        label = text
    }

    init(bytes: [UInt8], _ offset: Int, _ reason: String) {
        self.bytes = bytes
        self.offset = offset
        self.reason = reason
        label = bytes.map { String($0, radix: 16) }.joined(separator: " ")
    }

    var testDescription: String {
        let printable = label.unicodeScalars.map { $0.value < 0x20 ? $0.escaped(asASCII: true) : String($0) }.joined()
        return printable.count > 40 ? String(printable.prefix(40)) + "…" : printable
    }
}

@Suite("JSONParser")
struct JSONParserTests {
    @Test("valid documents parse and write back in canonical compact form", arguments: [
        ("null", "null"),
        ("true", "true"),
        (" false ", "false"),
        ("0", "0"),
        ("-0", "-0"),
        ("-12", "-12"),
        ("1.5e3", "1.5e3"),
        ("1E-7", "1E-7"),
        ("0.000", "0.000"),
        ("\"\"", "\"\""),
        ("\"héllo 😀\"", "\"héllo 😀\""),
        ("[]", "[]"),
        ("{}", "{}"),
        (" \t\r\n[ 1 , 2 ,\n3 ] \n", "[1,2,3]"),
        ("{ \"b\" : 1 , \"a\" : [ true , null , { } , [ ] ] }", "{\"b\":1,\"a\":[true,null,{},[]]}"),
        ("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", "\"\\\" \\\\ / \\b \\f \\n \\r \\t\""),
        ("\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\"", "\"Aé€😀\""),
        ("\"\\u0000\\u001f\\u007f\"", "\"\\u0000\\u001f\u{7f}\""),
        ("[[[[[[]]]]]]", "[[[[[[]]]]]]"),
        ("{\"a\":{\"a\":{\"a\":1}}}", "{\"a\":{\"a\":{\"a\":1}}}"),
        ("[1e400, 99999999999999999999, -1.25E+02]", "[1e400,99999999999999999999,-1.25E+02]"),
    ])
    func validDocuments(input: String, compact: String) throws {
        let value = try JSONParser.parse(input)
        #expect(JSONWriter.string(value) == compact)
        #expect(try JSONParser.parse(compact) == value)
        #expect(try JSONParser.parse(JSONWriter.pretty(value)) == value)
    }

    @Test("invalid documents are rejected at the right byte with a helpful reason", arguments: [
        InvalidCase("", 0, "empty body"),
        InvalidCase("  \n", 3, "expected a value, found end of input"),
        InvalidCase("{\"a\":1,}", 7, "expected a string key after ',', found '}' (trailing commas are not allowed)"),
        InvalidCase("[1,]", 3, "expected a value after ',', found ']' (trailing commas are not allowed)"),
        InvalidCase("[1 2]", 3, "expected ',' or ']' after an array element, found '2'"),
        InvalidCase("{\"a\" 1}", 5, "expected ':' after the object key 'a', found '1'"),
        InvalidCase("{\"a\":1 \"b\":2}", 7, "expected ',' or '}' after an object member, found '\"'"),
        InvalidCase("{1:2}", 1, "expected a string key or '}' after '{', found '1'"),
        InvalidCase("{\"a\":}", 5, "expected a value after ':', found '}'"),
        InvalidCase("[,1]", 1, "expected a value or ']' after '[', found ','"),
        InvalidCase("[1,2", 4, "expected ',' or ']' after an array element, found end of input"),
        InvalidCase("{\"a\":1", 6, "expected ',' or '}' after an object member, found end of input"),
        InvalidCase("[1]]", 3, "expected end of input after the JSON value, found ']'"),
        InvalidCase("1 2", 2, "expected end of input after the JSON value, found '2'"),
        InvalidCase("\"\u{0001}\"", 1, "unescaped control character U+0001"),
        InvalidCase("\"a\nb\"", 2, "unescaped control character U+000A"),
        InvalidCase("01", 1, "leading zeros are not allowed"),
        InvalidCase("-01", 2, "leading zeros are not allowed"),
        InvalidCase("1.", 2, "expected a digit after the decimal point, found end of input"),
        InvalidCase("1.e5", 2, "expected a digit after the decimal point, found 'e'"),
        InvalidCase(".5", 0, "expected a value, found '.'"),
        InvalidCase("+1", 0, "expected a value, found '+' (numbers cannot start with '+')"),
        InvalidCase("-", 1, "expected a digit after '-', found end of input"),
        InvalidCase("-a", 1, "expected a digit after '-', found 'a'"),
        InvalidCase("-Infinity", 1, "expected a digit after '-', found 'I'"),
        InvalidCase("1e", 2, "expected a digit in the exponent, found end of input"),
        InvalidCase("1e+", 3, "expected a digit in the exponent"),
        InvalidCase("NaN", 0, "expected a value, found 'N'"),
        InvalidCase("Infinity", 0, "expected a value, found 'I'"),
        InvalidCase(String(repeating: "1", count: 101), 0, "number literal is 101 characters long"),
        InvalidCase("tru", 3, "expected 'true', found end of input"),
        InvalidCase("trUe", 2, "expected 'true', found 'U'"),
        InvalidCase("nul", 3, "expected 'null', found end of input"),
        InvalidCase("[fals]", 5, "expected 'false', found ']'"),
        InvalidCase("True", 0, "expected a value, found 'T'"),
        InvalidCase("truex", 4, "expected end of input after the JSON value, found 'x'"),
        InvalidCase("\"abc", 4, "unterminated string starting at byte 0"),
        InvalidCase("[\"abc\\", 5, "expected an escape character after '\\', found end of input"),
        InvalidCase("\"\\x\"", 1, "invalid escape"),
        InvalidCase("\"\\'\"", 1, "invalid escape"),
        InvalidCase("\"\\u12\"", 1, "expected 4 hex digits after '\\u', found '\"'"),
        InvalidCase("\"\\u12G4\"", 1, "expected 4 hex digits after '\\u', found 'G'"),
        InvalidCase("\"\\ud800\"", 1, "unpaired surrogate \\uD800"),
        InvalidCase("\"ab\\uDBFFx\"", 3, "unpaired surrogate \\uDBFF"),
        InvalidCase("\"\\ud800\\u0041\"", 1, "found \\u0041"),
        InvalidCase("\"\\udc00\"", 1, "unpaired surrogate \\uDC00"),
        InvalidCase("\"\\ud800\\ud800\"", 1, "unpaired surrogate"),
        InvalidCase("\"\\ud800\\u00zz\"", 7, "expected 4 hex digits"),
        InvalidCase("// comment\n1", 0, "expected a value, found '/'"),
        InvalidCase("[1,/*x*/2]", 3, "expected a value after ',', found '/'"),
        InvalidCase("'a'", 0, "expected a value, found '''"),
        InvalidCase("\u{00A0}1", 0, "expected a value, found byte 0xC2"),
        InvalidCase("{\"a\":1,\"a\":2}", 7, "duplicate key 'a'"),
        InvalidCase("{\"name\":1,\"x\":{},\"na\\u006de\":2}", 17, "duplicate key 'name'"),
        InvalidCase(String(repeating: "[", count: 65), 64, "nesting deeper than 64 levels"),
        InvalidCase(String(repeating: "{\"a\":", count: 65), 320, "nesting deeper than 64 levels"),
        InvalidCase(String(repeating: "[", count: 64) + "{}" + String(repeating: "]", count: 64), 64,
                    "nesting deeper than 64 levels"),
        InvalidCase(bytes: [0x22, 0xC3, 0x28, 0x22], 1, "invalid UTF-8: 0xC3 must be followed by 1 continuation byte(s)"),
        InvalidCase(bytes: [0x22, 0xC0, 0xAF, 0x22], 1, "invalid UTF-8: byte 0xC0 only starts overlong encodings"),
        InvalidCase(bytes: [0x22, 0xC1, 0xBF, 0x22], 1, "overlong"),
        InvalidCase(bytes: [0x22, 0xE0, 0x80, 0xAF, 0x22], 1, "0xE0 0x80 starts an overlong encoding"),
        InvalidCase(bytes: [0x22, 0xF0, 0x82, 0x82, 0xAC, 0x22], 1, "0xF0 0x82 starts an overlong encoding"),
        InvalidCase(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], 1, "encoded UTF-16 surrogate"),
        InvalidCase(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1, "above U+10FFFF"),
        InvalidCase(bytes: [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1, "byte 0xF5 never appears in UTF-8"),
        InvalidCase(bytes: [0x22, 0xFF, 0x22], 1, "byte 0xFF never appears in UTF-8"),
        InvalidCase(bytes: [0x22, 0x61, 0x80, 0x22], 2, "unexpected continuation byte 0x80"),
        InvalidCase(bytes: [0x22, 0xE2, 0x82, 0x22], 1, "found '\"'"),
        InvalidCase(bytes: [0x22, 0x61, 0xE2, 0x82], 2, "truncated by the end of input"),
        InvalidCase(bytes: [0x22, 0x00, 0x22], 1, "unescaped control character U+0000"),
        InvalidCase(bytes: [0xEF, 0xBB, 0xBF, 0x31], 0, "expected a value, found byte 0xEF"),
        InvalidCase(bytes: [0x5B, 0xC3, 0xA9, 0x5D], 1, "expected a value or ']' after '[', found byte 0xC3"),
    ])
    func invalidDocuments(_ invalid: InvalidCase) {
        let error = #expect(throws: JSONParseError.self) {
            try JSONParser.parse(invalid.bytes)
        }
        #expect(error?.offset == invalid.offset, "\(String(describing: error))")
        #expect(error?.reason.contains(invalid.reason) == true, "\(String(describing: error))")
    }

    @Test("errors describe themselves with the byte offset")
    func errorDescription() {
        let error = #expect(throws: JSONParseError.self) {
            try JSONParser.parse("{\"a\":1,}")
        }
        #expect(error?.description ==
            "invalid JSON at byte 7: expected a string key after ',', found '}' (trailing commas are not allowed)")
    }

    @Test("nesting up to maxDepth is accepted and one more level is not")
    func depthLimit() throws {
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try JSONParser.parse(deepest) != .null)
        #expect(throws: JSONParseError(offset: 1, reason: "nesting deeper than 1 level")) {
            try JSONParser.parse("[[1]]", maxDepth: 1)
        }
        #expect(try JSONParser.parse("[1]", maxDepth: 1) == [1])
        #expect(try JSONParser.parse("7", maxDepth: 0) == 7)
        #expect(throws: JSONParseError.self) { try JSONParser.parse("[]", maxDepth: 0) }
        // A huge limit must not turn into deep recursion in the parser.
        let veryDeep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        var parsed = try JSONParser.parse(veryDeep, maxDepth: 1_000_000)
        var depth = 0
        var current = parsed
        parsed = .null
        // Count the levels while dismantling them, so that releasing the value
        // does not recurse 100,000 levels deep either.
        while case .array(var elements) = current {
            current = .null
            depth += 1
            current = elements.popLast() ?? .null
            elements = []
        }
        #expect(depth == 100_000)
    }

    @Test("every input overload parses the same document")
    func overloads() throws {
        let text = "{\"k\":[1,\"é\",null]}"
        let bytes = Array(text.utf8)
        let expected: JSONValue = ["k": [1, "é", nil]]
        #expect(try JSONParser.parse(text) == expected)
        #expect(try JSONParser.parse(bytes) == expected)
        #expect(try JSONParser.parse(bytes[...]) == expected)
        #expect(try JSONParser.parse(text.utf8) == expected)
        #expect(try JSONParser.parse(bytes.lazy.map { $0 }) == expected)
        let viaRaw = try bytes.withUnsafeBytes { try JSONParser.parse($0) }
        #expect(viaRaw == expected)
        // A slice reports offsets relative to its own start.
        let padded = Array("xx[1,]".utf8)
        #expect(throws: JSONParseError(offset: 3, reason: "expected a value after ',', found ']' (trailing commas are not allowed)")) {
            try JSONParser.parse(padded[2...])
        }
    }

    @Test("large and hostile-but-valid inputs parse")
    func largeInputs() throws {
        let keys = (0..<20_000).map { "key\($0)" }
        let object = "{" + keys.map { "\"\($0)\":\($0.count)" }.joined(separator: ",") + "}"
        let parsed = try JSONParser.parse(object)
        #expect(parsed.objectValue?.count == 20_000)
        #expect(parsed.objectValue?.keys == keys)
        #expect(parsed["key19999"] == 8)
        let duplicate = String(object.dropLast()) + ",\"key123\":0}"
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(duplicate) }
        #expect(error?.reason == "duplicate key 'key123'")
        #expect(error?.offset == object.utf8.count)

        let longString = String(repeating: "abc\\n😀", count: 100_000)
        let value = try JSONParser.parse("\"\(longString)\"")
        #expect(value.stringValue?.count == 500_000)

        let bigArray = "[" + Array(repeating: "1.5", count: 100_000).joined(separator: ",") + "]"
        #expect(try JSONParser.parse(bigArray).arrayValue?.count == 100_000)
    }

    @Test("duplicate keys in different objects are fine; long keys are cut in messages")
    func duplicateKeys() throws {
        #expect(try JSONParser.parse("[{\"a\":1},{\"a\":2},{\"b\":{\"a\":3},\"a\":4}]").arrayValue?.count == 3)
        let key = String(repeating: "k", count: 100)
        let error = #expect(throws: JSONParseError.self) {
            try JSONParser.parse("{\"\(key)\":1,\"\(key)\":2}")
        }
        #expect(error?.reason == "duplicate key '\(String(repeating: "k", count: 40))…'")
        let control = #expect(throws: JSONParseError.self) {
            try JSONParser.parse("{\"a\\nb\":1,\"a\\nb\":2}")
        }
        #expect(control?.reason == "duplicate key 'a\\nb'")
    }
}
