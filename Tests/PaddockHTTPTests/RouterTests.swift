import PaddockHTTP
import Testing

@Suite("Router")
struct RouterTests {
    static func text(_ value: String) -> HTTPHandler {
        { request in
            let parameters = request.pathParameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return .text("\(value) \(request.routePattern ?? "-") \(parameters.joined(separator: ","))")
        }
    }

    static func router() -> Router {
        var router = Router()
        router.add("GET", "/v1/environments", text("list"))
        router.add("POST", "/v1/environments", text("create"))
        router.add("GET", "/v1/environments/{id}", text("get"))
        router.add("PATCH", "/v1/environments/{id}", text("update"))
        router.add("DELETE", "/v1/environments/{id}", text("delete"))
        router.add("GET", "/v1/accounts/me", text("me"))
        router.add("DELETE", "/v1/accounts/{id}", text("delete-account"))
        router.add("GET", "/v1/sessions/{id}/files", text("files"))
        router.add("get", "/", text("root"))
        return router
    }

    static func body(_ router: Router, _ method: String, _ target: String) async -> (Int, String, String?) {
        let response = await router.handle(HTTPRequest(method: method, target: target))
        return (response.status, String(decoding: await response.collectBody(), as: UTF8.self), response.header("allow"))
    }

    @Test("a {param} segment is captured and the pattern is reported")
    func parameters() async {
        let (status, text, _) = await Self.body(Self.router(), "GET", "/v1/environments/env_123?x=1")
        #expect(status == 200)
        #expect(text == "get /v1/environments/{id} id=env_123")
    }

    @Test("route() reports handler, parameters and pattern without running anything")
    func routeMatch() {
        guard case .found(_, let parameters, let pattern) = Self.router().route(HTTPRequest(method: "GET", target: "/v1/sessions/s1/files")) else {
            Issue.record("no match")
            return
        }
        #expect(parameters == ["id": "s1"])
        #expect(pattern == "/v1/sessions/{id}/files")
    }

    @Test("an unknown path is 404, a known path with another method is 405 with allow")
    func notFoundVersusMethodNotAllowed() async {
        let router = Self.router()
        let missing = await Self.body(router, "GET", "/v1/nothing")
        #expect(missing.0 == 404)
        let wrongMethod = await Self.body(router, "PUT", "/v1/environments/env_1")
        #expect(wrongMethod.0 == 405)
        #expect(wrongMethod.2 == "GET, HEAD, PATCH, DELETE")
        guard case .methodNotAllowed(let allowed) = router.route(HTTPRequest(method: "DELETE", target: "/v1/environments")) else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == ["GET", "HEAD", "POST"])
    }

    @Test("injected responders replace the defaults; allow is added when the responder omits it")
    func injectedResponders() async {
        let router = Self.router()
        let notFound = await router.handle(HTTPRequest(method: "GET", target: "/zzz"),
                                           notFound: { .text("custom 404 for \($0.path)", status: 404) },
                                           methodNotAllowed: { _, _ in .text("x", status: 405) })
        #expect(String(decoding: await notFound.collectBody(), as: UTF8.self) == "custom 404 for /zzz")
        let notAllowed = await router.handle(HTTPRequest(method: "PUT", target: "/v1/accounts/me"),
                                             notFound: { _ in .text("x", status: 404) },
                                             methodNotAllowed: { _, allowed in .text(allowed.joined(separator: "|"), status: 405) })
        #expect(notAllowed.status == 405)
        #expect(notAllowed.header("Allow") == "GET, HEAD, DELETE")

        var configured = Router(notFound: { _ in .text("gone", status: 410) })
        configured.add("GET", "/a", Self.text("a"))
        #expect(await configured.handle(HTTPRequest(method: "GET", target: "/b")).status == 410)
    }

    @Test("a trailing slash is significant", arguments: [
        ("/v1/environments", 200),
        ("/v1/environments/", 404),
        ("//v1/environments", 404),
        ("/v1/environments//", 404),
        ("/v1/environments/x/", 404),
        ("/", 200),
        ("", 404),
        ("*", 404),
    ])
    func trailingSlash(target: String, status: Int) async {
        #expect(await Self.body(Self.router(), "GET", target).0 == status)
    }

    @Test("a literal segment beats a parameter; the most specific route taking the method wins")
    func specificity() async {
        let router = Self.router()
        #expect(await Self.body(router, "GET", "/v1/accounts/me").1 == "me /v1/accounts/me ")
        #expect(await Self.body(router, "DELETE", "/v1/accounts/me").1 == "delete-account /v1/accounts/{id} id=me")
    }

    @Test("HEAD is served by the GET handler")
    func head() async {
        #expect(await Self.body(Self.router(), "HEAD", "/v1/environments/e").1 == "get /v1/environments/{id} id=e")
    }

    @Test("segments are split before decoding: %2F stays in the parameter")
    func encodedSlash() async {
        let (status, text, _) = await Self.body(Self.router(), "GET", "/v1/environments/a%2Fb%20c")
        #expect(status == 200)
        #expect(text == "get /v1/environments/{id} id=a/b c")
        #expect(await Self.body(Self.router(), "GET", "/v1/%65nvironments").1.hasPrefix("list"))
    }

    @Test("respond(to:match:) handles a match computed once, whose pattern is known")
    func respondToMatch() async {
        let router = Self.router()
        let request = HTTPRequest(method: "DELETE", target: "/v1/environments/e9")
        let match = router.route(request)
        #expect(match.pattern == "/v1/environments/{id}")
        let response = await router.respond(to: request, match: match,
                                            notFound: { _ in .text("", status: 404) },
                                            methodNotAllowed: { _, _ in .text("", status: 405) })
        #expect(String(decoding: await response.collectBody(), as: UTF8.self) == "delete /v1/environments/{id} id=e9")
        #expect(router.route(HTTPRequest(method: "GET", target: "/nope")).pattern == nil)
    }

    @Test("routes lists every registration in order")
    func routesList() {
        let routes = Self.router().routes
        #expect(routes.count == 9)
        #expect(routes[0] == ("GET", "/v1/environments"))
        #expect(routes[8] == ("GET", "/"))
    }
}
