import PaddockCore
import PaddockHTTP
import PaddockJSON

/// `/v1/environments`: decode, call the service, encode.
struct EnvironmentController: Sendable {
    let service: EnvironmentService

    func addRoutes(to routes: inout RouteBuilder) {
        let service = self.service
        routes.authenticated("POST", "/v1/environments") { request, caller in
            try request.checkQuery(allowed: [])
            let body = try EnvironmentCreateRequest(json: request.jsonBody())
            let record = try await service.create(body, accountID: caller.accountID)
            return JSONResponse.make(status: 201, try EnvironmentView.json(record))
        }
        routes.authenticated("GET", "/v1/environments") { request, caller in
            try request.checkQuery(allowed: ["limit", "after_id", "before_id", "name"])
            let limit = try request.queryInt("limit", in: 1...100, default: 20)
            let after = try Self.cursor(request, "after_id")
            let before = try Self.cursor(request, "before_id")
            if after != nil && before != nil {
                throw PaddockError(.invalidArgument, "query parameters 'after_id' and 'before_id' cannot be used together; page in one direction",
                                   param: "before_id")
            }
            let page = try await service.list(accountID: caller.accountID, limit: limit, afterID: after, beforeID: before,
                                              name: request.query("name"))
            let data = try page.items.map(EnvironmentView.json)
            return JSONResponse.make(.object([
                "data": .array(data), "has_more": .bool(page.hasMore),
                "first_id": .string(page.items.first?.id), "last_id": .string(page.items.last?.id),
            ]))
        }
        routes.authenticated("GET", "/v1/environments/{id}") { request, caller in
            try request.checkQuery(allowed: [])
            return JSONResponse.make(body: try service.body(request.pathParameters["id"] ?? "", accountID: caller.accountID))
        }
        for method in ["POST", "PATCH"] {
            routes.authenticated(method, "/v1/environments/{id}") { request, caller in
                try request.checkQuery(allowed: [])
                let update = try EnvironmentUpdateRequest(json: request.jsonBody())
                let record = try await service.update(request.pathParameters["id"] ?? "", update, accountID: caller.accountID)
                return JSONResponse.make(try EnvironmentView.json(record))
            }
        }
        routes.authenticated("DELETE", "/v1/environments/{id}") { request, caller in
            try request.checkQuery(allowed: [])
            let id = request.pathParameters["id"] ?? ""
            try await service.delete(id, accountID: caller.accountID)
            return JSONResponse.make(["id": .string(id), "type": "environment_deleted"])
        }
    }

    private static func cursor(_ request: HTTPRequest, _ name: String) throws -> String? {
        guard let value = request.query(name) else { return nil }
        guard IdentifierGenerator.isValid(value, prefix: .environment) else {
            throw PaddockError(.invalidArgument,
                               "query parameter '\(name)': '\(value)' is not an environment id; use the first_id or last_id of a page",
                               param: name)
        }
        return value
    }
}
