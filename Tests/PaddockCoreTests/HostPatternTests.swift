import Testing
@testable import PaddockCore

/// The host-pattern contract of `network.md`, "Host patterns", as tables.
@Suite("Host patterns")
struct HostPatternTests {
    @Test("valid entries are stored in canonical form", arguments: [
        ("EXAMPLE.com.", "example.com"),
        ("example.com", "example.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("BÜCHER.de", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("xn--Bcher-kva.de", "xn--bcher-kva.de"),
        ("ｅｘａｍｐｌｅ。com", "example.com"),
        ("*.example.com", "*.example.com"),
        ("*.Example.COM.", "*.example.com"),
        ("*.co.uk", "*.co.uk"),
        ("pypi.org:8443", "pypi.org:8443"),
        ("pypi.org:08443", "pypi.org:8443"),
        ("*.example.com:22", "*.example.com:22"),
        ("203.0.113.7", "203.0.113.7"),
        ("203.0.113.7:8080", "203.0.113.7:8080"),
        ("203.0.113.0/24", "203.0.113.0/24"),
        ("10.0.0.0/8", "10.0.0.0/8"),
        ("10.0.0.0/8:5432", "10.0.0.0/8:5432"),
        ("203.0.113.7/32", "203.0.113.7"),
        ("[2001:db8::1]", "[2001:db8::1]"),
        ("[2001:DB8:0:0:0:0:0:1]", "[2001:db8::1]"),
        ("[2001:db8::1]:8443", "[2001:db8::1]:8443"),
        ("[2001:db8::]/32", "[2001:db8::]/32"),
        ("[::ffff:203.0.113.7]", "203.0.113.7"),
        ("r3---sn-abc.googlevideo.com", "r3---sn-abc.googlevideo.com"),
        ("1.2.3.4.example.com", "1.2.3.4.example.com"),
    ])
    func canonicalForm(input: String, canonical: String) throws {
        let pattern = try HostPattern.parse(input, param: "config.networking.domains[0]")
        #expect(pattern.description == canonical)
        #expect(try HostPattern.parse(pattern.description, param: "p") == pattern)
    }

    @Test("invalid entries are refused, naming the entry", arguments: [
        "https://x.com", "x.com/path", "*", "*.com", "com", "a..b", "a.*.b", "a b.com", "user@x.com",
        "x.com:0", "x.com:70000", "-a.com", "", "*a.b.com", "a*.b.com", "localhost", ".example.com",
        "example.com..", "x.com:", "x.com:http", "x.com?q=1", "x.com#f", "a_b.example.com", "a-.example.com",
        "example.123", "1.2.3.4.5", "example.com:443:443", "[2001:db8::1", "[example.com]", "[fe80::1%eth0]",
        "203.0.113.7/0", "203.0.113.7/33", "2001:db8::1:8443", "x.com\n", "\u{202E}moc.x", "❤.example.com",
        "xn--zz.example.com", "ü-.example.com", "xn----dha.example.com", "2001:db8::1", "2001:db8::/32", String(repeating: "a", count: 64) + ".com",
        String(repeating: "a.", count: 128) + "com", String(repeating: "a", count: 257),
    ])
    func invalid(input: String) {
        #expect(throws: PaddockError.self) { try HostPattern.parse(input, param: "config.networking.domains[1]") }
        do {
            _ = try HostPattern.parse(input, param: "config.networking.domains[1]")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.param == "config.networking.domains[1]")
            #expect(error.message.hasPrefix("config.networking.domains[1]: '"))
            #expect(!error.message.contains("\n"))
        }
    }

    @Test("a refused entry suggests what to write when it can", arguments: [
        ("https://pypi.org/simple", "pypi.org"),
        ("https://x.com", "x.com"),
        ("x.com/path", "x.com"),
        ("user@x.com", "x.com"),
        ("https://user:pw@Files.Example.com:8443/a?b", "files.example.com:8443"),
        (" example.com ", "example.com"),
        ("2852039166", "169.254.169.254"),
        ("0x7f.1", "127.0.0.1"),
        ("203.0.113.7/24", "203.0.113.0/24"),
        ("2001:db8::1:8443", "[2001:db8::1:8443]"),
        ("2001:db8::/32", "[2001:db8::]/32"),
        ("[2001:db8::1]/32", "[2001:db8::]/32"),
    ])
    func suggestion(input: String, suggestion: String) {
        do {
            _ = try HostPattern.parse(input, param: "allowed_hosts[0]")
            Issue.record("\(input) was accepted")
        } catch {
            #expect(error.message.contains("write '\(suggestion)'"), "\(error.message)")
        }
    }

    @Test("the brief's example message")
    func exampleMessage() {
        #expect(throws: PaddockError.invalid("d[0]", "'https://pypi.org/simple' is not a host name; a scheme such as 'https://' is not allowed, write 'pypi.org'")) {
            try HostPattern.parse("https://pypi.org/simple", param: "d[0]")
        }
    }

    @Test("the convenience initializer names the field 'host'")
    func convenienceInit() throws {
        #expect(try HostPattern("Example.com") == HostPattern.parse("example.com", param: "x"))
        #expect(throws: PaddockError.invalid("host", "'*' is not a host name; a bare '*' would allow every host, write a pattern such as '*.example.com'")) {
            try HostPattern("*")
        }
    }

    @Test("the matcher follows the contract", arguments: [
        ("example.com", "example.com", 443, true),
        ("example.com", "example.com", 80, true),
        ("example.com", "EXAMPLE.com.", 443, true),
        ("example.com", "example.com", 22, false),
        ("example.com", "example.com", 8443, false),
        ("example.com", "www.example.com", 443, false),
        ("example.com", "evilexample.com", 443, false),
        ("example.com", "example.com.evil.tld", 443, false),
        ("*.example.com", "example.com", 443, false),
        ("*.example.com", "a.example.com", 443, true),
        ("*.example.com", "a.b.example.com", 443, true),
        ("*.example.com", "evilexample.com", 443, false),
        ("*.example.com", "a.example.com.evil.tld", 443, false),
        ("*.example.com", "a.example.com", 22, false),
        ("pypi.org:8443", "pypi.org", 8443, true),
        ("pypi.org:8443", "pypi.org", 443, false),
        ("pypi.org:443", "pypi.org", 80, false),
        ("bücher.de", "xn--bcher-kva.de", 443, true),
        ("xn--bcher-kva.de", "BÜCHER.de", 443, true),
        ("203.0.113.7", "203.0.113.7", 443, true),
        ("203.0.113.7", "3405803783", 443, true),
        ("203.0.113.7", "0313.0.0161.7", 443, true),
        ("203.0.113.7", "::ffff:203.0.113.7", 443, true),
        ("203.0.113.7", "203.0.113.8", 443, false),
        ("203.0.113.0/24", "203.0.113.200", 80, true),
        ("203.0.113.0/24", "203.0.114.1", 80, false),
        ("203.0.113.0/24", "0xcb.0x00.0x71.0x01", 80, true),
        ("[2001:db8::1]", "[2001:db8:0::1]", 443, true),
        ("[2001:db8::1]", "2001:db8::1", 443, true),
        ("[2001:db8::1]", "[2001:db8::2]", 443, false),
        ("[2001:db8::]/32", "[2001:db8:ffff::1]", 443, true),
        ("[2001:db8::]/32", "[2001:db9::1]", 443, false),
        ("example.com", "203.0.113.7", 443, false),
        ("203.0.113.7", "example.com", 443, false),
        ("example.com", "example.com:443", 443, false),
    ])
    func matcher(pattern: String, host: String, port: Int, expected: Bool) throws {
        let parsed = try HostPattern.parse(pattern, param: "p")
        #expect(parsed.matches(host: host, port: port) == expected)
    }

    @Test("canonicalHost refuses every spelling of a denied address the same way", arguments: [
        "169.254.169.254", "2852039166", "0251.0376.0251.0376", "0xa9.0xfe.0xa9.0xfe", "0xA9FEA9FE",
        "169.254.43518", "169.16689662", "::ffff:169.254.169.254", "::ffff:a9fe:a9fe", "[::ffff:a9fe:a9fe]",
        "169.254.169.254.", "０ｘａ９ｆｅａ９ｆｅ",
    ])
    func metadataSpellings(spelling: String) {
        #expect(HostPattern.canonicalHost(spelling) == "169.254.169.254")
    }

    @Test("parseLenient reads what inet_aton reads", arguments: [
        ("169.254.169.254", 0xA9FE_A9FE), ("2852039166", 0xA9FE_A9FE), ("0251.0376.0251.0376", 0xA9FE_A9FE),
        ("0xa9.0xfe.0xa9.0xfe", 0xA9FE_A9FE), ("::ffff:169.254.169.254", 0xA9FE_A9FE), ("::ffff:a9fe:a9fe", 0xA9FE_A9FE),
        ("127.1", 0x7F00_0001), ("10.1.1", 0x0A01_0001), ("0x", 0), ("0", 0), ("4294967295", 0xFFFF_FFFF),
    ] as [(String, UInt32)])
    func lenientIPv4(text: String, value: UInt32) {
        #expect(IPv4Address.parseLenient(text) == IPv4Address(value))
    }

    @Test("parseLenient refuses what inet_aton refuses", arguments: [
        "4294967296", "08.1.1.1", "1.2.3.4.5", "256.1.1.1", "1.256.1.1", "1.2.65536", "", ".", "1..2", "a.b.c.d",
        "::1", "1.2.3.4 ", "0xg",
    ])
    func lenientIPv4Invalid(text: String) {
        #expect(IPv4Address.parseLenient(text) == nil)
    }

    @Test("canonicalHost of loopback spellings", arguments: ["127.0.0.1", "127.1", "0x7f.1", "017700000001", "2130706433", "::ffff:7f00:1"])
    func loopbackSpellings(spelling: String) {
        #expect(HostPattern.canonicalHost(spelling) == "127.0.0.1")
    }

    @Test("canonicalHost of names and invalid targets", arguments: [
        ("Example.COM.", "example.com"), ("localhost", "localhost"), ("bücher.de", "xn--bcher-kva.de"),
        ("[2001:DB8::1]", "[2001:db8::1]"), ("2001:db8::1", "[2001:db8::1]"),
        ("", nil), ("a..b", nil), ("a b", nil), ("https://x.com", nil), ("x.com:443", nil), ("a.123", nil),
        ("*.example.com", nil), ("under_score.com", nil), ("08.0.0.1", nil), ("256.1.1.1", nil),
        ("[2001:db8::1]:443", nil), ("1.2.3.4.5", nil),
    ] as [(String, String?)])
    func canonicalHost(raw: String, canonical: String?) {
        #expect(HostPattern.canonicalHost(raw) == canonical)
    }

    @Test("strict IPv4 parsing accepts only dotted quads", arguments: [
        ("203.0.113.7", true), ("0.0.0.0", true), ("255.255.255.255", true), ("256.0.0.1", false),
        ("01.2.3.4", false), ("1.2.3", false), ("1.2.3.4.", false), ("0x1.2.3.4", false), ("", false),
    ])
    func strictIPv4(text: String, valid: Bool) {
        #expect((IPv4Address(text) != nil) == valid)
    }

    @Test("IPv6 text is printed per RFC 5952", arguments: [
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("0:0:0:0:0:0:0:0", "::"), ("::1", "::1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), ("fe80::", "fe80::"), ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
    ])
    func ipv6Description(text: String, expected: String) {
        #expect(IPv6Address(text)?.description == expected)
    }

    @Test("malformed IPv6 text is refused", arguments: [":", ":::", "1:2", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "::g", "1:2:3:4:5:6:7:8::", "::1.2.3"])
    func ipv6Invalid(text: String) {
        #expect(IPv6Address(text) == nil)
    }
}

/// RFC 3492 section 7.1 sample strings.
@Suite("Punycode")
struct PunycodeTests {
    static let samples: [(String, [UInt32], String)] = [
        ("A Arabic", [0x644, 0x64A, 0x647, 0x645, 0x627, 0x628, 0x62A, 0x643, 0x644, 0x645, 0x648, 0x634, 0x639, 0x631, 0x628, 0x64A, 0x61F],
         "egbpdaj6bu4bxfgehfvwxn"),
        ("B Chinese simplified", [0x4ED6, 0x4EEC, 0x4E3A, 0x4EC0, 0x4E48, 0x4E0D, 0x8BF4, 0x4E2D, 0x6587], "ihqwcrb4cv8a8dqg056pqjye"),
        ("C Chinese traditional", [0x4ED6, 0x5011, 0x7232, 0x4EC0, 0x9EBD, 0x4E0D, 0x8AAA, 0x4E2D, 0x6587], "ihqwctvzc91f659drss3x8bo0yb"),
        ("D Czech", [0x50, 0x72, 0x6F, 0x10D, 0x70, 0x72, 0x6F, 0x73, 0x74, 0x11B, 0x6E, 0x65, 0x6D, 0x6C, 0x75, 0x76, 0xED, 0x10D,
                     0x65, 0x73, 0x6B, 0x79], "Proprostnemluvesky-uyb24dma41a"),
        ("E Hebrew", [0x5DC, 0x5DE, 0x5D4, 0x5D4, 0x5DD, 0x5E4, 0x5E9, 0x5D5, 0x5D8, 0x5DC, 0x5D0, 0x5DE, 0x5D3, 0x5D1, 0x5E8, 0x5D9,
                      0x5DD, 0x5E2, 0x5D1, 0x5E8, 0x5D9, 0x5EA], "4dbcagdahymbxekheh6e0a7fei0b"),
        ("G Japanese", [0x306A, 0x305C, 0x307F, 0x3093, 0x306A, 0x65E5, 0x672C, 0x8A9E, 0x3092, 0x8A71, 0x3057, 0x3066, 0x304F,
                        0x308C, 0x306A, 0x3044, 0x306E, 0x304B], "n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa"),
        ("I Russian", [0x43F, 0x43E, 0x447, 0x435, 0x43C, 0x443, 0x436, 0x435, 0x43E, 0x43D, 0x438, 0x43D, 0x435, 0x433, 0x43E,
                       0x432, 0x43E, 0x440, 0x44F, 0x442, 0x43F, 0x43E, 0x440, 0x443, 0x441, 0x441, 0x43A, 0x438],
         "b1abfaaepdrnnbgefbadotcwatmq2g4l"),
        ("J Spanish", Array("Porqu\u{E9}nopuedensimplementehablarenEspa\u{F1}ol".unicodeScalars.map(\.value)),
         "PorqunopuedensimplementehablarenEspaol-fmd56a"),
        ("K Vietnamese", [0x54, 0x1EA1, 0x69, 0x73, 0x61, 0x6F, 0x68, 0x1ECD, 0x6B, 0x68, 0xF4, 0x6E, 0x67, 0x74, 0x68, 0x1EC3, 0x63,
                          0x68, 0x1EC9, 0x6E, 0xF3, 0x69, 0x74, 0x69, 0x1EBF, 0x6E, 0x67, 0x56, 0x69, 0x1EC7, 0x74],
         "TisaohkhngthchnitingVit-kjcr8268qyxafd2f1b9g"),
        ("L 3nenBgumi", [0x33, 0x5E74, 0x42, 0x7D44, 0x91D1, 0x516B, 0x5148, 0x751F], "3B-ww4c5e180e575a65lsy2b"),
        ("M amuro namie", [0x5B89, 0x5BA4, 0x5948, 0x7F8E, 0x6075] + Array("-with-SUPER-MONKEYS".unicodeScalars.map(\.value)),
         "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"),
        ("O hitotsu yane", [0x3072, 0x3068, 0x3064, 0x5C4B, 0x6839, 0x306E, 0x4E0B, 0x32], "2-u9tlzr9756bt3uc0v"),
        ("Q pafii de runba", [0x30D1, 0x30D5, 0x30A3, 0x30FC, 0x64, 0x65, 0x30EB, 0x30F3, 0x30D0], "de-jg4avhby1noc0d"),
        ("R sono supiido de", [0x305D, 0x306E, 0x30B9, 0x30D4, 0x30FC, 0x30C9, 0x3067], "d9juau41awczczp"),
        ("S ascii only", Array("-> $1.00 <-".unicodeScalars.map(\.value)), "-> $1.00 <--"),
    ]

    static func string(_ scalars: [UInt32]) -> String {
        String(String.UnicodeScalarView(scalars.compactMap(Unicode.Scalar.init)))
    }

    @Test("encodes the RFC 3492 samples", arguments: samples)
    func encode(name: String, scalars: [UInt32], encoded: String) {
        #expect(Punycode.encode(Self.string(scalars)) == encoded, "\(name)")
    }

    @Test("decodes the RFC 3492 samples, case-insensitively", arguments: samples)
    func decode(name: String, scalars: [UInt32], encoded: String) {
        #expect(Punycode.decode(encoded) == Self.string(scalars), "\(name)")
        #expect(Punycode.decode(encoded.uppercased())?.lowercased() == Self.string(scalars).lowercased(), "\(name)")
    }

    @Test("refuses invalid input", arguments: ["zzzzzzzzzzzzzzzzzzzz", "a-!", "-a", "ü", "99999999999", "a-99999999999999999999999999999999a"])
    func decodeInvalid(input: String) {
        #expect(Punycode.decode(input) == nil)
    }
}
