import PaddockCore
import PaddockHTTP
import PaddockJSON

/// `/v1/sessions`: create, list, get, delete and the provisioning log.
struct SessionController: Sendable {
    let service: SessionService

    func addRoutes(to routes: inout RouteBuilder) {
        let service = self.service
        routes.authenticated("POST", "/v1/sessions") { request, caller in
            try request.checkQuery(allowed: [])
            let body = try SessionCreateRequest(json: request.jsonBody())
            let session = try await service.create(body, accountID: caller.accountID)
            return JSONResponse.make(status: 201, try session.json())
        }
        routes.authenticated("GET", "/v1/sessions") { request, caller in
            let query = try SessionListQuery.parse(request.queryItems)
            let page = try await service.list(accountID: caller.accountID, status: query.status, environmentID: query.environmentID,
                                              limit: query.limit, afterID: query.afterID, beforeID: query.beforeID)
            return JSONResponse.make(.object([
                "data": .array(try page.items.map { try $0.json() }), "has_more": .bool(page.hasMore),
                "first_id": .string(page.items.first?.record.id), "last_id": .string(page.items.last?.record.id),
            ]))
        }
        routes.authenticated("GET", "/v1/sessions/{id}") { request, caller in
            try request.checkQuery(allowed: [])
            return JSONResponse.make(try await service.get(request.pathParameters["id"] ?? "", accountID: caller.accountID).json())
        }
        routes.authenticated("DELETE", "/v1/sessions/{id}") { request, caller in
            try request.checkQuery(allowed: [])
            return JSONResponse.make(try await service.delete(request.pathParameters["id"] ?? "", accountID: caller.accountID).json())
        }
        routes.authenticated("GET", "/v1/sessions/{id}/logs") { request, caller in
            try request.checkQuery(allowed: ["follow"])
            let follow = try request.queryBool("follow")
            let output = try await service.log(request.pathParameters["id"] ?? "", accountID: caller.accountID, follow: follow)
            let headers = [("content-type", "text/plain; charset=utf-8")]
            switch output {
            case .text(let text):
                return HTTPResponse(status: 200, headers: headers, body: .bytes(Array(text.utf8)))
            case .stream(let stream):
                return HTTPResponse(status: 200, headers: headers, body: .stream(HTTPBodyStream(stream)))
            }
        }
    }
}

extension HTTPRequest {
    /// A boolean query parameter (`true` / `false`), false when absent.
    func queryBool(_ name: String) throws -> Bool {
        switch query(name) {
        case nil, "false": return false
        case "true": return true
        case let text?:
            throw PaddockError(.invalidArgument, "query parameter '\(name)': '\(Shown.text(text))' is not 'true' or 'false'", param: name)
        }
    }
}
