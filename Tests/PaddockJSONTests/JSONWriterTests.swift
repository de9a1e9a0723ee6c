import Testing
import PaddockJSON

@Suite("JSONWriter")
struct JSONWriterTests {
    @Test("compact output has no whitespace and keeps key order")
    func compact() {
        let value: JSONValue = ["z": 1, "a": [true, nil, false], "m": [:], "e": [], "s": "x", "d": 1.5]
        #expect(JSONWriter.string(value) == #"{"z":1,"a":[true,null,false],"m":{},"e":[],"s":"x","d":1.5}"#)
        #expect(JSONWriter.bytes(value) == Array(JSONWriter.string(value).utf8))
        #expect(value.description == JSONWriter.string(value))
    }

    @Test("write(into:) appends to existing bytes")
    func appends() {
        var buffer = Array("data: ".utf8)
        JSONWriter.write(["ok": true], into: &buffer)
        JSONWriter.write(nil, into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"data: {"ok":true}null"#)
    }

    @Test("strings escape quotes, backslashes and control characters only", arguments: [
        ("plain", #""plain""#),
        ("quote\" back\\slash", #""quote\" back\\slash""#),
        ("\n\r\t\u{08}\u{0C}", #""\n\r\t\b\f""#),
        ("\u{00}\u{01}\u{1F}\u{7F}", "\"\\u0000\\u0001\\u001f\u{7F}\""),
        ("a/b</script>", #""a/b</script>""#),
        ("héllo wörld € 😀 \u{2028}", "\"héllo wörld € 😀 \u{2028}\""),
        ("", #""""#),
        ("\\\\\"\"", #""\\\\\"\"""#),
    ])
    func escaping(raw: String, expected: String) throws {
        let value = JSONValue.string(raw)
        #expect(JSONWriter.string(value) == expected)
        #expect(try JSONParser.parse(expected) == value)
        // Keys are escaped the same way.
        let object: JSONValue = [raw: 1]
        #expect(JSONWriter.string(object) == "{\(expected):1}")
        #expect(try JSONParser.parse(JSONWriter.bytes(object)) == object)
    }

    @Test("numbers are written as their literal")
    func numbers() throws {
        let parsed = try JSONParser.parse("[1e400,-0.0,1.50,99999999999999999999,1E+2]")
        #expect(JSONWriter.string(parsed) == "[1e400,-0.0,1.50,99999999999999999999,1E+2]")
        let built: JSONValue = [.number(JSONNumber(-7)), .number(JSONNumber(0.25)), .number(JSONNumber(Int.min))]
        #expect(JSONWriter.string(built) == "[-7,0.25,-9223372036854775808]")
    }

    @Test("pretty output indents by two spaces")
    func pretty() throws {
        let value: JSONValue = ["name": "pump", "tags": ["a", 2], "empty": [], "none": [:], "nested": ["x": nil]]
        let expected = """
            {
              "name": "pump",
              "tags": [
                "a",
                2
              ],
              "empty": [],
              "none": {},
              "nested": {
                "x": null
              }
            }
            """
        #expect(JSONWriter.pretty(value) == expected)
        #expect(try JSONParser.parse(expected) == value)
        #expect(JSONWriter.pretty(42) == "42")
        var bytes: [UInt8] = []
        JSONWriter.writePretty([1], into: &bytes)
        #expect(bytes == Array("[\n  1\n]".utf8))
    }
}
