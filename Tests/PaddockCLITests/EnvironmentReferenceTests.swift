import Testing
import PaddockJSON
@testable import PaddockCLI

@Suite("environment names are accepted wherever an id is")
struct EnvironmentReferenceTests {
    static let web = environmentFixture(id: "env_01WEB", name: "web")
    static let spaced = environmentFixture(id: "env_01SPACE", name: "data science/é")

    @Test("an argument starting with env_ is used as the id without a lookup")
    func idIsUsedAsIs() async {
        let result = await runCLI(["env", "get", "env_01WEB"], server: environmentServer([Self.web]))
        #expect(result.exitCode == 0)
        #expect(result.calls == ["GET /v1/environments/env_01WEB"])
    }

    @Test("a name is looked up with name= and limit=1, then the id is used")
    func nameIsLookedUp() async {
        let result = await runCLI(["env", "get", "web"], server: environmentServer([Self.web]))
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.calls == ["GET /v1/environments?name=web&limit=1", "GET /v1/environments/env_01WEB"])
    }

    @Test("the name is percent-encoded in the query")
    func nameIsEncoded() async {
        let result = await runCLI(["env", "delete", "data science/é"], server: environmentServer([Self.spaced]))
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.calls == ["GET /v1/environments?name=data%20science%2F%C3%A9&limit=1",
                                 "DELETE /v1/environments/env_01SPACE"])
        #expect(result.stdout == "deleted environment 'data science/é' (env_01SPACE)\n")
    }

    @Test("an unknown name fails with exit 1 and no further request", arguments: [
        ["env", "get", "ghost"], ["env", "delete", "ghost"], ["env", "update", "ghost", "--description", "x"],
    ])
    func unknownName(arguments: [String]) async {
        let result = await runCLI(arguments, server: environmentServer([Self.web]))
        #expect(result.exitCode == 1)
        #expect(result.stderr == "error: no environment named 'ghost'\n")
        #expect(result.calls == ["GET /v1/environments?name=ghost&limit=1"])
    }

    @Test("deleting by id prints the id")
    func deleteById() async throws {
        let result = await runCLI(["env", "delete", "env_01WEB"], server: environmentServer([Self.web]))
        #expect(result.stdout == "deleted environment env_01WEB\n")
        let json = await runCLI(["env", "delete", "env_01WEB", "--json"], server: environmentServer([Self.web]))
        #expect(try JSONParser.parse(json.stdout) == ["id": "env_01WEB", "type": "environment_deleted"])
    }

    @Test("URL encoding keeps only unreserved characters")
    func encoding() {
        #expect(URLEncoding.encode("a-b_c.d~e") == "a-b_c.d~e")
        #expect(URLEncoding.encode("a b&c=d?é") == "a%20b%26c%3Dd%3F%C3%A9")
        #expect(URLEncoding.query([("name", "x y"), ("limit", "1")]) == "?name=x%20y&limit=1")
        #expect(URLEncoding.query([]) == "")
    }
}
