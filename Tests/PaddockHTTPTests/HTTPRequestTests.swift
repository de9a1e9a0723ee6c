import PaddockHTTP
import Testing

@Suite("HTTPRequest")
struct HTTPRequestTests {
    @Test("the query is split in order, percent-decoded, + read as a space")
    func query() {
        let request = HTTPRequest(method: "GET", target: "/s?a=1&b=x+y&c=%41%zz%&d&&e=&a=2&%F0%9F%98%80=%E2%9C%93")
        #expect(request.queryItems.map { "\($0.0)=\($0.1)" } == ["a=1", "b=x y", "c=A%zz%", "d=", "e=", "a=2", "😀=✓"])
        #expect(request.query("a") == "1")
        #expect(request.query("missing") == nil)
        #expect(request.rawQuery == "a=1&b=x+y&c=%41%zz%&d&&e=&a=2&%F0%9F%98%80=%E2%9C%93")
        #expect(request.path == "/s")
    }

    @Test("the path is decoded, + kept; the raw path is kept as sent", arguments: [
        ("/a%20b/c+d", "/a b/c+d", "/a%20b/c+d"),
        ("/caf%C3%A9", "/café", "/caf%C3%A9"),
        ("/bad%ff", "/bad\u{FFFD}", "/bad%ff"),
        ("/nul%00x", "/nul\u{0}x", "/nul%00x"),
        ("/half%4", "/half%4", "/half%4"),
        ("http://example.com/abs?x=1", "/abs", "/abs"),
        ("http://example.com", "/", "/"),
        ("/plain", "/plain", "/plain"),
    ])
    func path(target: String, path: String, raw: String) {
        let request = HTTPRequest(method: "GET", target: target)
        #expect(request.path == path)
        #expect(request.rawPath == raw)
    }

    @Test("header lookup ignores case and returns the first field")
    func headers() {
        let request = HTTPRequest(method: "GET", target: "/", headers: [("Content-Type", "a"), ("content-type", "b"), ("X-Key", "k")])
        #expect(request.header("content-type") == "a")
        #expect(request.header("x-KEY") == "k")
        #expect(request.header("x-key2") == nil)
    }

    @Test("loopback addresses", arguments: [
        ("127.0.0.1", true), ("127.8.9.10", true), ("::1", true), ("::ffff:127.0.0.1", true),
        ("10.0.0.1", false), ("::2", false), ("1127.0.0.1", false), ("", false),
    ])
    func loopback(address: String, expected: Bool) {
        #expect(HTTPRequest(method: "GET", target: "/", remoteAddress: address).isLoopback == expected)
    }

    @Test("responses: convenience initialisers and streams")
    func responses() async {
        let text = HTTPResponse.text("hi", status: 201)
        #expect(text.status == 201)
        #expect(text.header("Content-Type") == "text/plain; charset=utf-8")
        let json = HTTPResponse(status: 200, contentType: "application/json", body: Array("{}".utf8))
        #expect(await json.collectBody() == Array("{}".utf8))
        let (stream, continuation) = HTTPBodyStream.makeStream()
        continuation.yield([1, 2])
        continuation.yield([3])
        continuation.finish()
        #expect(await HTTPResponse(body: .stream(stream)).collectBody() == [1, 2, 3])
    }
}
