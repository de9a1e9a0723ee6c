import PaddockCore
import PaddockHTTP
import PaddockStore

/// The validated query of `GET /v1/sessions/{id}/egress`: `limit` (1–100, default 20, as
/// every list), `after_id` (the `last_id` of the page already seen; the log is read oldest
/// first, in the order the attempts happened) and `decision` (`allowed` or `denied`).
struct EgressLogQuery: Sendable, Hashable {
    /// Page size.
    var limit = defaultLimit
    /// Only events with a larger id.
    var after: Int64?
    /// Only events with this decision.
    var decision: EgressEventRecord.Decision?

    /// The default page size.
    static let defaultLimit = 20
    /// Accepted page sizes.
    static let limitRange = 1...100
    /// Every query parameter the route accepts.
    static let parameters = ["limit", "after_id", "decision"]

    /// Validates the request's query; unknown, repeated or bad parameters are 400 naming it.
    init(_ request: HTTPRequest) throws {
        try request.checkQuery(allowed: Self.parameters)
        limit = try request.queryInt("limit", in: Self.limitRange, default: Self.defaultLimit)
        if let text = request.query("after_id") {
            guard let id = Int64(text), id >= 0 else {
                throw PaddockError(.invalidArgument,
                                   "query parameter 'after_id': '\(Shown.text(text))' is not an event id; use the last_id of a page",
                                   param: "after_id")
            }
            after = id
        }
        if let text = request.query("decision") {
            guard let decision = EgressEventRecord.Decision(rawValue: text) else {
                throw PaddockError(.invalidArgument,
                                   "query parameter 'decision': '\(Shown.text(text))' is not a decision; use 'allowed' or 'denied'",
                                   param: "decision")
            }
            self.decision = decision
        }
    }
}
