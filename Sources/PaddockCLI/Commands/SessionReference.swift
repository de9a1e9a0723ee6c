/// Where a session's id goes on the command line and in request paths.
///
/// Sessions have no names (environments do): the argument is the `sess_…` id that
/// `paddock session create` and `paddock session list` print.
enum SessionReference {
    /// The positional argument of `session get`, `delete`, `logs` and `exec`.
    static let parameter = Parameter.argument("session", label: "SESSION",
                                              help: "the session's id (sess_…), as `paddock session list` shows it")

    /// The id typed, or a usage error when it is empty.
    static func id(_ text: String?) throws(CLIFailure) -> String {
        guard let text, !text.isEmpty else { throw .usage("the session's id must not be empty") }
        return text
    }

    /// `/v1/sessions/{id}` with the id percent-encoded, or a sub-resource such as `exec`.
    static func path(_ id: String, _ subresource: String? = nil) -> String {
        let base = URLEncoding.path("/v1/sessions", id)
        return subresource.map { base + "/" + $0 } ?? base
    }
}
