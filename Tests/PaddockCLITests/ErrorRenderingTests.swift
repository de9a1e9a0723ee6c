import Testing
import PaddockCore
import PaddockJSON
@testable import PaddockCLI

@Suite("errors")
struct ErrorRenderingTests {
    @Test("an API error prints error.message and the param, and exits 1")
    func apiErrorWithParam() async {
        let server = FakeServer { _ in
            FakeServer.error(400, "invalid_request_error",
                             "config.networking.domains[0]: 'https://pypi.org' is not a host name; write 'pypi.org'",
                             param: "config.networking.domains[0]")
        }
        let result = await runCLI(["env", "create", "web", "--network", "allowlist", "--domain", "https://pypi.org"],
                                  server: server)
        #expect(result.exitCode == 1)
        #expect(result.stderr == """
            error: config.networking.domains[0]: 'https://pypi.org' is not a host name; write 'pypi.org' \
            (param: config.networking.domains[0])

            """)
        #expect(result.stdout.isEmpty)
    }

    @Test("an API error without a param prints only the message")
    func apiErrorWithoutParam() async {
        let server = FakeServer { _ in FakeServer.error(403, "permission_error", "only an admin key may create accounts") }
        let result = await runCLI(["accounts", "create", "acme"], server: server)
        #expect(result.exitCode == 1)
        #expect(result.stderr == "error: only an admin key may create accounts\n")
    }

    @Test("a rejected key says where the key came from", arguments: [
        (["env", "list", "--api-key", "pdk_bad"], ["PADDOCK_API_KEY": "pdk_env"], "--api-key"),
        (["env", "list"], ["PADDOCK_API_KEY": "pdk_env"], "PADDOCK_API_KEY"),
    ])
    func unauthenticated(arguments: [String], environment: [String: String], source: String) async {
        let server = FakeServer { _ in FakeServer.error(401, "authentication_error", "unknown API key") }
        let result = await runCLI(arguments, server: server, environment: environment)
        #expect(result.exitCode == 1)
        #expect(result.stderr == "error: unknown API key (the key came from \(source))\n")
    }

    @Test("error statuses map back to the PaddockError codes the server mapped them from", arguments: [
        (400, PaddockError.Code.invalidArgument), (401, .unauthenticated), (403, .permissionDenied),
        (404, .notFound), (405, .methodNotAllowed), (409, .conflict), (413, .tooLarge),
        (415, .unsupportedMediaType), (500, .internal), (503, .overloaded),
    ])
    func statusToCode(status: Int, code: PaddockError.Code) {
        #expect(APIClient.errorCode(status: status) == code)
    }

    @Test("an error response decodes into a PaddockError with message and param")
    func decodesPaddockError() {
        let response = FakeServer.error(409, "conflict_error", "name 'web' is taken", param: "name")
        #expect(throws: CLIFailure.api(PaddockError(.conflict, "name 'web' is taken", param: "name"))) {
            try APIClient.decode(response)
        }
    }

    @Test("a multi-line message is kept on one line")
    func oneLine() async {
        let server = FakeServer { _ in FakeServer.error(409, "conflict_error", "name taken\nchoose another") }
        let result = await runCLI(["env", "create", "web"], server: server)
        #expect(result.stderr == "error: name taken choose another\n")
    }

    @Test("a non-JSON error response shows the status and the start of the body")
    func nonJSONError() async {
        let server = FakeServer { _ in APIResponse(status: 502, body: Array("Bad gateway\n".utf8)) }
        let result = await runCLI(["env", "list"], server: server)
        #expect(result.exitCode == 1)
        #expect(result.stderr == "error: HTTP 502: Bad gateway\n")
    }

    @Test("a network failure names the URL and suggests starting the server")
    func unreachable() async {
        let server = FakeServer { _ in throw TransportError("connection refused") }
        let result = await runCLI(["env", "list"], server: server)
        #expect(result.exitCode == 1)
        #expect(result.stderr == "error: cannot reach Paddock at http://127.0.0.1:8080: connection refused; is `make run` running?\n")
    }

    @Test("a 2xx answer that is not JSON is a failure, not a crash")
    func nonJSONSuccess() async {
        let server = FakeServer { _ in APIResponse(status: 200, body: Array("<html>".utf8)) }
        let result = await runCLI(["env", "list"], server: server)
        #expect(result.exitCode == 1)
        #expect(result.stderr == "error: the answer (HTTP 200) is not JSON; does --url point at Paddock?\n")
    }

    @Test("failures map to exit codes", arguments: [
        (CLIFailure.usage("x"), Int32(2)),
        (CLIFailure.api(PaddockError(.notFound, "x")), Int32(1)),
        (CLIFailure.unreachable(url: "u", detail: "d"), Int32(1)),
        (CLIFailure.failed("x"), Int32(1)),
    ])
    func exitCodes(failure: CLIFailure, code: Int32) {
        #expect(failure.exitCode == code)
    }
}
