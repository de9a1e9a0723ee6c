import PaddockJSON

/// Resolves what the user typed where an environment id is expected.
///
/// An argument starting with `env_` is taken as an id; anything else is a name, looked up
/// with `GET /v1/environments?name=NAME&limit=1` (names are unique within an account).
enum EnvironmentReference {
    /// The parameter `get`, `update` and `delete` take.
    static let parameter = Parameter.argument("environment", label: "ID|NAME",
                                              help: "the environment's id (env_…) or its name")

    /// The id of the environment `reference` names.
    static func resolve(_ reference: String, with client: APIClient) async throws(CLIFailure) -> String {
        if reference.hasPrefix("env_") { return reference }
        guard !reference.isEmpty else { throw .usage("the environment's id or name must not be empty") }
        let page = try await client.get("/v1/environments", query: [("name", reference), ("limit", "1")])
        guard let id = page["data"]?.arrayValue?.first?["id"]?.stringValue else {
            throw .failed("no environment named '\(reference)'")
        }
        return id
    }

    /// `/v1/environments/{id}` with the id percent-encoded.
    static func path(_ id: String) -> String {
        URLEncoding.path("/v1/environments", id)
    }
}
