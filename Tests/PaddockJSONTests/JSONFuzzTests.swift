import Testing
import PaddockJSON

/// A tiny deterministic PRNG (SplitMix64) so fuzz runs are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}

@Suite("Fuzzing")
struct JSONFuzzTests {
    /// Bytes that are likely to form interesting JSON.
    static let alphabet: [UInt8] = Array(#"{}[]:,"\ /0123456789-+.eEtrufalsn"#.utf8)
        + [0x09, 0x0A, 0x0D, 0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xED, 0xA0,
           0xF0, 0x9F, 0x98, 0x80, 0xF4, 0x90, 0xFF]
        + Array("ud800dc00uDBFFuDFFF".utf8)

    static let seeds: [String] = [
        #"{"id":7,"name":"pump \u00e9","tags":["a","b"],"owner":null,"ok":true}"#,
        #"[1,-0.5e10,2E-3,0,[],{},[[{"x":[false]}]]]"#,
        #""esc \" \\ \/ \b\f\n\r\t \ud83d\ude00 é€😀""#,
        #"{"a":{"b":{"c":{"d":[1,2,{"e":"f"}]}}},"g":-12345678901234567890}"#,
        "  [ true , false , null ]  ",
    ]

    /// Checks what must hold for any input: no crash (implicit), a sane error, or a
    /// value that survives writing and re-parsing.
    static func check(_ bytes: [UInt8]) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            #expect(error.offset >= 0 && error.offset <= bytes.count, "\(error) for \(bytes)")
            #expect(!error.reason.isEmpty)
            return
        }
        let written = JSONWriter.bytes(value)
        let reparsed = try? JSONParser.parse(written)
        #expect(reparsed == value, "round trip of \(bytes)")
        #expect(reparsed.map(JSONWriter.bytes) == written, "canonical form of \(bytes)")
        #expect((try? JSONParser.parse(JSONWriter.pretty(value))) == value, "pretty round trip of \(bytes)")
    }

    @Test("random byte strings never crash the parser")
    func randomBytes() {
        var random = SplitMix64(seed: 0x5EED)
        for _ in 0..<10_000 {
            let length = random.below(40)
            let bytes = (0..<length).map { _ in
                random.below(5) == 0 ? UInt8(truncatingIfNeeded: random.next()) : Self.alphabet[random.below(Self.alphabet.count)]
            }
            Self.check(bytes)
        }
    }

    @Test("mutated valid documents never crash the parser and round-trip when still valid")
    func mutatedDocuments() {
        var random = SplitMix64(seed: 0xC0FFEE)
        var accepted = 0
        for _ in 0..<10_000 {
            var bytes = Array(Self.seeds[random.below(Self.seeds.count)].utf8)
            for _ in 0...random.below(3) {
                let position = random.below(bytes.count + 1)
                switch random.below(5) {
                case 0 where position < bytes.count:
                    bytes[position] = Self.alphabet[random.below(Self.alphabet.count)]
                case 1:
                    bytes.insert(Self.alphabet[random.below(Self.alphabet.count)], at: position)
                case 2 where position < bytes.count:
                    bytes.remove(at: position)
                case 3:
                    let end = min(bytes.count, position + random.below(8))
                    bytes.insert(contentsOf: bytes[position..<end], at: random.below(bytes.count + 1))
                default:
                    bytes = Array(bytes.prefix(position))
                }
            }
            if (try? JSONParser.parse(bytes)) != nil { accepted += 1 }
            Self.check(bytes)
        }
        // The mutations should leave a fair share of documents valid, so the
        // round-trip half of the check is actually exercised.
        #expect(accepted > 500)
    }

    @Test("randomly built values round-trip through compact and pretty text")
    func generatedValues() throws {
        var random = SplitMix64(seed: 99)
        for _ in 0..<2_000 {
            let value = Self.makeValue(depth: 0, random: &random)
            #expect(try JSONParser.parse(JSONWriter.bytes(value)) == value)
            #expect(try JSONParser.parse(JSONWriter.pretty(value)) == value)
        }
    }

    static func makeValue(depth: Int, random: inout SplitMix64) -> JSONValue {
        switch random.below(depth > 4 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(random.below(2) == 0)
        case 2:
            return random.below(2) == 0
                ? .number(JSONNumber(Int(bitPattern: UInt(random.next())) >> random.below(64)))
                : .number(JSONNumber(Double(random.below(1_000_000)) / 64 - 5_000))
        case 3, 4:
            return .string(makeString(random: &random))
        case 5:
            return .array((0..<random.below(5)).map { _ in makeValue(depth: depth + 1, random: &random) })
        default:
            var object = JSONObject()
            for _ in 0..<random.below(5) {
                object[makeString(random: &random)] = makeValue(depth: depth + 1, random: &random)
            }
            return .object(object)
        }
    }

    static func makeString(random: inout SplitMix64) -> String {
        let pool: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\u{0}", "\u{1F}", "\u{7F}",
                                      "é", "€", "\u{2028}", "😀", "\u{FFFF}", "\u{10FFFF}"]
        var text = String.UnicodeScalarView()
        for _ in 0..<random.below(8) {
            text.append(pool[random.below(pool.count)])
        }
        return String(text)
    }
}
