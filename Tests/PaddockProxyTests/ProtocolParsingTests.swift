import PaddockCore
import Testing
@testable import PaddockProxy

/// The pure parsers the gateway decides with: request heads, targets, ClientHellos, DNS.
@Suite("Egress protocol parsing")
struct ProtocolParsingTests {
    static func head(_ text: String) -> HTTPRequestHead? { HTTPRequestHead.parse(Array(text.utf8)[...]) }

    @Test("a well-formed head is parsed")
    func requestHead() throws {
        let head = try #require(Self.head("GET http://a.test/x HTTP/1.1\r\nHost: a.test\r\nX-Y:  z \r\n\r\n"))
        #expect(head.method == "GET")
        #expect(head.target == "http://a.test/x")
        #expect(head.version == "HTTP/1.1")
        #expect(head.values(of: "x-y") == ["z"])
    }

    @Test("malformed heads are refused", arguments: [
        "GET /\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n", "GET / HTTP/2\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\n\n",
        "GET / HTTP/1.1\r\nHost a\r\n\r\n", "GET / HTTP/1.1\r\n folded: x\r\n\r\n", "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",
        "GET / HTTP/1.1\r\nA\u{1}: b\r\n\r\n", "GET / HTTP/1.1\r\nA: \u{1}\r\n\r\n", "\r\n\r\n", "GET / HTTP/1.1\r\n",
    ])
    func malformedHeads(text: String) {
        #expect(Self.head(text) == nil)
    }

    @Test("the head sent upstream drops hop-by-hop fields and closes after one exchange")
    func upstreamHead() throws {
        let head = try #require(Self.head("GET http://a.test:8080/p?q HTTP/1.1\r\nHost: evil.test\r\nProxy-Connection: keep-alive\r\n"
            + "Connection: keep-alive, X-Secret\r\nX-Secret: 1\r\nProxy-Authorization: Basic x\r\nAccept: */*\r\n\r\n"))
        let text = String(decoding: head.upstreamHead(target: "/p?q", hostField: "a.test:8080"), as: UTF8.self)
        #expect(text == "GET /p?q HTTP/1.1\r\nHost: a.test:8080\r\nAccept: */*\r\nConnection: close\r\n\r\n")
    }

    @Test("CONNECT authorities", arguments: [
        ("pypi.org:443", "pypi.org", 443), ("[::ffff:a9fe:a9fe]:80", "[::ffff:a9fe:a9fe]", 80), ("2852039166:443", "2852039166", 443),
    ])
    func connectAuthority(text: String, host: String, port: Int) throws {
        let target = try #require(RequestTarget.connectAuthority(text))
        #expect(target.host == host)
        #expect(target.port == port)
    }

    @Test("bad CONNECT authorities", arguments: ["pypi.org", "pypi.org:", ":443", "pypi.org:0", "pypi.org:65536", "pypi.org:x", "::1:443", "[::1]443"])
    func badConnectAuthority(text: String) {
        #expect(RequestTarget.connectAuthority(text) == nil)
    }

    @Test("absolute URIs", arguments: [
        ("http://a.test/x?y#z", "a.test", 80, "/x?y"), ("HTTP://a.test:8080", "a.test", 8080, "/"), ("http://a.test?q", "a.test", 80, "/?q"),
    ])
    func absolute(text: String, host: String, port: Int, origin: String) throws {
        let target = try #require(RequestTarget.absoluteHTTP(text))
        #expect(target.host == host)
        #expect(target.port == port)
        #expect(target.originForm == origin)
    }

    @Test("bad absolute URIs", arguments: ["/x", "https://a.test/", "http://user@a.test/", "http:///x", "http://a.test:99999/"])
    func badAbsolute(text: String) {
        #expect(RequestTarget.absoluteHTTP(text) == nil)
    }

    @Test("the SNI of a ClientHello is read, also across records")
    func clientHelloSNI() {
        #expect(TLSClientHello.parse(clientHello(serverName: "pypi.org")) == .hello(serverName: "pypi.org"))
        #expect(TLSClientHello.parse(clientHello(serverName: "pypi.org", splitRecords: true)) == .hello(serverName: "pypi.org"))
        #expect(TLSClientHello.parse(clientHello(serverName: nil)) == .hello(serverName: nil))
    }

    @Test("a partial ClientHello needs more; garbage is malformed")
    func clientHelloPartial() {
        let hello = clientHello(serverName: "pypi.org")
        for cut in [0, 3, 5, 20, hello.count - 1] {
            #expect(TLSClientHello.parse(Array(hello[..<cut])) == .needMore)
        }
        #expect(TLSClientHello.parse(Array("GET / HTTP/1.1\r\n\r\n".utf8)) == .malformed)
        var broken = hello
        broken[5] = 2  // a ServerHello
        #expect(TLSClientHello.parse(broken) == .malformed)
        var badLength = hello
        badLength[hello.count - 9] = 0xFF  // an extension length running past the end
        #expect(TLSClientHello.parse(badLength) == .malformed)
    }

    @Test("garbage never crashes the ClientHello parser")
    func clientHelloFuzz() {
        var rng = SplitMix64(seed: 42)
        let hello = clientHello(serverName: "files.pythonhosted.org")
        for _ in 0..<20_000 {
            var bytes = hello
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            if Bool.random(using: &rng) { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng))) }
            _ = TLSClientHello.parse(bytes)
        }
    }

    static func dnsQuery(_ name: String, type: UInt16 = 1, id: UInt16 = 0x1234) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") { bytes += [UInt8(label.utf8.count)] + Array(label.utf8) }
        bytes += [0, UInt8(type >> 8), UInt8(type & 0xFF), 0, 1]
        return bytes
    }

    @Test("a DNS query is parsed and answered with A records")
    func dnsRoundTrip() throws {
        guard case .query(let query) = DNSMessage.parse(Self.dnsQuery("PyPI.org")) else {
            Issue.record("not parsed")
            return
        }
        #expect(query.name == "PyPI.org")
        #expect(query.type == 1)
        let answer = DNSMessage.response(to: query, rcode: .noError, addresses: [IPv4Address("151.101.0.223")!])
        #expect(Array(answer[0..<4]) == [0x12, 0x34, 0x81, 0x80])
        #expect(Array(answer[6..<8]) == [0, 1])
        #expect(Array(answer.suffix(4)) == [151, 101, 0, 223])
        #expect(Array(answer.suffix(10).prefix(4)) == [0, 0, 0, 30])
    }

    @Test("bad DNS datagrams get FORMERR or are dropped")
    func dnsErrors() {
        #expect(DNSMessage.parse([1, 2, 3]) == .drop)
        var twoQuestions = Self.dnsQuery("a.test")
        twoQuestions[5] = 2
        #expect(DNSMessage.parse(twoQuestions) == .error(id: 0x1234, flags: 0x0100, rcode: .formatError))
        let truncated = Array(Self.dnsQuery("a.test").dropLast(3))
        #expect(DNSMessage.parse(truncated) == .error(id: 0x1234, flags: 0x0100, rcode: .formatError))
        var response = Self.dnsQuery("a.test")
        response[2] |= 0x80
        #expect(DNSMessage.parse(response) == .drop)
    }
}
