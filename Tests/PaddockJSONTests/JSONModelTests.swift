import Testing
import PaddockJSON

@Suite("JSONNumber")
struct JSONNumberTests {
    @Test("intValue is exact integers only", arguments: [
        ("12", 12 as Int?),
        ("-12", -12),
        ("0", 0),
        ("-0", 0),
        ("9223372036854775807", Int.max),
        ("-9223372036854775808", Int.min),
        ("9223372036854775808", nil),
        ("99999999999999999999", nil),
        ("1.0", nil),
        ("1e2", nil),
        ("1E0", nil),
        ("1e400", nil),
    ])
    func intValue(literal: String, expected: Int?) throws {
        let number = try #require(try JSONParser.parse(literal).numberValue)
        #expect(number.literal == literal)
        #expect(number.intValue == expected)
    }

    @Test("doubleValue is the nearest double")
    func doubleValue() throws {
        #expect(try JSONParser.parse("1e400").numberValue?.doubleValue == .infinity)
        #expect(try JSONParser.parse("-1e400").numberValue?.doubleValue == -.infinity)
        #expect(try JSONParser.parse("99999999999999999999").numberValue?.doubleValue == 1e20)
        #expect(try JSONParser.parse("1.5e3").numberValue?.doubleValue == 1500)
        #expect(try JSONParser.parse("1e-400").numberValue?.doubleValue == 0)
    }

    @Test("numbers from Swift values produce valid literals that round-trip")
    func fromSwiftValues() throws {
        #expect(JSONNumber(42).literal == "42")
        #expect(JSONNumber(1.5).literal == "1.5")
        #expect(JSONNumber(1.0).intValue == nil)
        var random = SplitMix64(seed: 7)
        let specials: [Double] = [0, -0.0, 1, -1, 0.1, 1e16, 1e-7, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                                  -.greatestFiniteMagnitude, .leastNormalMagnitude, 123456789012345680]
        let randoms = (0..<2_000).map { _ in Double(bitPattern: random.next()) }.filter(\.isFinite)
        for double in specials + randoms {
            let number = JSONNumber(double)
            #expect(JSONNumber(literal: number.literal) == number, "\(double)")
            #expect(number.doubleValue.bitPattern == double.bitPattern, "\(double)")
        }
    }

    @Test("init(literal:) accepts only valid JSON numbers", arguments: [
        ("0", true), ("-1.5E+10", true), ("1e007", true),
        ("01", false), ("+1", false), ("1.", false), (".5", false), ("-", false), ("", false),
        ("1e", false), (" 1", false), ("1 ", false), ("NaN", false), ("0x10", false),
        (String(repeating: "9", count: 100), true), (String(repeating: "9", count: 101), false),
    ])
    func literalValidation(literal: String, valid: Bool) {
        #expect((JSONNumber(literal: literal) != nil) == valid)
    }
}

@Suite("JSONObject")
struct JSONObjectTests {
    @Test("keeps insertion order; setting replaces in place, nil removes")
    func orderedMutation() {
        var object = JSONObject([("b", 1), ("a", 2), ("b", 3)])
        #expect(object.keys == ["b", "a"])
        #expect(object["b"] == 3)
        object["c"] = "new"
        object["b"] = nil
        object["a"] = true
        #expect(object.keys == ["a", "c"])
        #expect(object.count == 2)
        #expect(object["b"] == nil)
        object["missing"] = nil
        #expect(object.count == 2)
        #expect(Array(object.map(\.key)) == ["a", "c"])
        #expect(object.values == [true, "new"])
        #expect(object.contains(key: "c"))
        #expect(!object.isEmpty && JSONObject().isEmpty)
    }

    @Test("equality is order-sensitive")
    func equality() {
        let ab: JSONObject = ["a": 1, "b": 2]
        let ba: JSONObject = ["b": 2, "a": 1]
        #expect(ab != ba)
        #expect(ab == JSONObject([("a", 1), ("b", 2)]))
        #expect(ab != ["a": 1, "b": 3])
        #expect(ab != ["a": 1])
    }

    @Test("large objects stay consistent through additions and removals")
    func largeObjects() {
        var object = JSONObject()
        var model: [(String, Int)] = []
        var random = SplitMix64(seed: 42)
        for step in 0..<3_000 {
            let key = "k\(random.next() % 60)"
            if random.next() % 3 == 0 {
                object[key] = nil
                model.removeAll { $0.0 == key }
            } else {
                object[key] = .number(JSONNumber(step))
                if let position = model.firstIndex(where: { $0.0 == key }) {
                    model[position].1 = step
                } else {
                    model.append((key, step))
                }
            }
            #expect(object.keys == model.map(\.0))
        }
        for (key, value) in model {
            #expect(object[key] == .number(JSONNumber(value)))
        }
        #expect(object == JSONObject(model.map { ($0.0, .number(JSONNumber($0.1))) }))
    }
}

@Suite("JSONValue")
struct JSONValueTests {
    @Test("literals build the expected cases")
    func literals() {
        let value: JSONValue = ["s": "x", "i": -3, "d": 0.5, "b": false, "n": nil, "a": [1], "o": ["k": "v"]]
        let object = value.objectValue
        #expect(object?.keys == ["s", "i", "d", "b", "n", "a", "o"])
        #expect(value["s"] == .string("x"))
        #expect(value["i"] == .number(JSONNumber(-3)))
        #expect(value["d"] == .number(JSONNumber(0.5)))
        #expect(value["b"] == .bool(false))
        #expect(value["n"] == .some(.null))
        #expect(value["a"] == .array([.number(JSONNumber(1))]))
        #expect(value["o"]?["k"] == "v")
        #expect(value["missing"] == nil)
        #expect(JSONValue.array([])["s"] == nil)
    }

    @Test("accessors return the payload only for the matching case")
    func accessors() {
        #expect(JSONValue.string("a").stringValue == "a")
        #expect(JSONValue.bool(true).stringValue == nil)
        #expect(JSONValue.bool(true).boolValue == true)
        #expect(JSONValue.null.boolValue == nil)
        #expect(JSONValue.array([nil]).arrayValue == [nil])
        #expect(JSONValue.object(["k": 1]).objectValue == ["k": 1])
        #expect(JSONValue.number(JSONNumber(3)).numberValue?.intValue == 3)
        #expect(JSONValue.null.isNull)
        #expect(!JSONValue.string("null").isNull)
        let missing: String? = nil
        #expect(JSONValue.string(missing) == .null)
        #expect(JSONValue.string(Optional("x")) == .string("x"))
    }
}
