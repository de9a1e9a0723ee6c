/// The validated query of `GET /v1/sessions`: the environments list's paging (`limit`,
/// `after_id`, `before_id`) plus the `status` and `environment_id` filters.
public struct SessionListQuery: Sendable, Hashable {
    /// Page size, 1–100.
    public private(set) var limit: Int
    /// Continue towards older sessions after this id (exclusive).
    public private(set) var afterID: String?
    /// Go back towards newer sessions before this id (exclusive).
    public private(set) var beforeID: String?
    /// Only sessions in this status.
    public private(set) var status: SessionStatus?
    /// Only sessions made from this environment (which may since have been deleted).
    public private(set) var environmentID: String?

    /// The default page size.
    public static let defaultLimit = 20
    /// Accepted page sizes.
    public static let limitRange = 1...100
    /// Every query parameter the route accepts.
    public static let parameters = ["limit", "after_id", "before_id", "status", "environment_id"]

    /// The first page, newest first, unfiltered.
    public init() {
        limit = Self.defaultLimit
    }

    /// Validates the query items of a request, in order as received. Unknown or repeated
    /// parameters, bad values and both cursors at once are `invalidArgument` errors naming the
    /// parameter.
    public static func parse(_ items: [(String, String)]) throws(PaddockError) -> SessionListQuery {
        var seen: Set<String> = []
        for (name, _) in items {
            guard seen.insert(name).inserted else {
                throw PaddockError(.invalidArgument, "query parameter '\(ClientText.shown(name))' is given twice; give it once", param: name)
            }
            guard parameters.contains(name) else {
                let known = parameters.map { "'\($0)'" }.joined(separator: ", ")
                throw PaddockError(.invalidArgument, "unknown query parameter '\(ClientText.shown(name))'; this route accepts \(known)", param: name)
            }
        }
        var query = SessionListQuery()
        for (name, value) in items {
            switch name {
            case "limit":
                guard let limit = Int(value), limitRange.contains(limit) else {
                    throw invalid(name, "'\(ClientText.shown(value))' is not an integer from 1 to 100")
                }
                query.limit = limit
            case "after_id", "before_id":
                guard IdentifierGenerator.isValid(value, prefix: .session) else {
                    throw invalid(name, "'\(ClientText.shown(value))' is not a session id; use the first_id or last_id of a page")
                }
                if name == "after_id" { query.afterID = value } else { query.beforeID = value }
            case "status":
                guard let status = SessionStatus(rawValue: value) else {
                    let known = SessionStatus.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
                    throw invalid(name, "'\(ClientText.shown(value))' is not a session status; use one of \(known)")
                }
                query.status = status
            default:  // environment_id
                guard IdentifierGenerator.isValid(value, prefix: .environment) else {
                    throw invalid(name, "'\(ClientText.shown(value))' is not an environment id; use the id of an environment (env_…)")
                }
                query.environmentID = value
            }
        }
        if query.afterID != nil && query.beforeID != nil {
            throw PaddockError(.invalidArgument,
                               "query parameters 'after_id' and 'before_id' cannot be used together; page in one direction",
                               param: "before_id")
        }
        return query
    }

    private static func invalid(_ name: String, _ message: String) -> PaddockError {
        PaddockError(.invalidArgument, "query parameter '\(name)': \(message)", param: name)
    }
}
