import PaddockCore
import PaddockHTTP
import PaddockJSON
import PaddockStore

/// `GET /v1/network/presets` (the preset host lists) and `GET /v1/sessions/{id}/egress`
/// (a session's network audit log).
struct NetworkController: Sendable {
    let store: PaddockStore
    let egressLog: EgressLog
    let presets: LoadedPresets

    func addRoutes(to routes: inout RouteBuilder) {
        let store = self.store, egressLog = self.egressLog
        let presetsBody = JSONResponse.body(Self.json(presets))
        routes.authenticated("GET", "/v1/network/presets") { request, _ in
            try request.checkQuery(allowed: [])
            return JSONResponse.make(body: presetsBody)
        }
        routes.authenticated("GET", "/v1/sessions/{id}/egress") { request, caller in
            let query = try EgressLogQuery(request)
            let id = request.pathParameters["id"] ?? ""
            guard try store.session(id: id, accountID: caller.accountID) != nil else {
                throw PaddockError(.notFound, "session \(Shown.text(id)) does not exist; list yours with GET /v1/sessions")
            }
            // Attempts recorded before this request are in the page.
            await egressLog.flush()
            let page = try store.egressEvents(sessionID: id, decision: query.decision, limit: query.limit, afterID: query.after)
            return JSONResponse.make(.object([
                "data": .array(page.items.map(Self.json)), "has_more": .bool(page.hasMore),
                "first_id": page.items.first.map { .number(JSONNumber(Int($0.id))) } ?? .null,
                "last_id": page.items.last.map { .number(JSONNumber(Int($0.id))) } ?? .null,
            ]))
        }
    }

    /// `{"version", "known_safe", "package_managers", "source"}`.
    static func json(_ presets: LoadedPresets) -> JSONValue {
        .object([
            "version": .string(presets.presets.version),
            "known_safe": .array(presets.presets.knownSafe.map { .string($0.description) }),
            "package_managers": .array(presets.presets.packageManagers.map { .string($0.description) }),
            "source": .string(presets.sourceText),
        ])
    }

    /// One event as the API shows it.
    static func json(_ event: EgressEventRecord) -> JSONValue {
        .object([
            "id": .number(JSONNumber(Int(event.id))), "session_id": .string(event.sessionID), "time": .string(event.time),
            "protocol": .string(event.protocolName),
            "host": .string(event.host), "port": .number(JSONNumber(event.port)), "address": .string(event.address),
            "decision": .string(event.decision.rawValue), "reason": .string(event.reason),
            "bytes_up": .number(JSONNumber(Int(event.bytesUp))), "bytes_down": .number(JSONNumber(Int(event.bytesDown))),
            "duration_ms": .number(JSONNumber(event.durationMs)),
        ])
    }
}
