import PaddockCore
import PaddockHTTP
import PaddockJSON

/// `/v1/accounts` and `/v1/api_keys`.
struct AccountController: Sendable {
    let service: AccountService
    let authenticator: Authenticator

    func addRoutes(to routes: inout RouteBuilder) {
        let service = self.service
        let authenticator = self.authenticator
        routes.authenticated("POST", "/v1/accounts") { request, caller in
            try request.checkQuery(allowed: [])
            guard caller.isAdmin else {
                throw PaddockError(.permissionDenied, "only an admin key can create accounts; use the key in the data directory's admin.key")
            }
            let fields = try FieldReader(request.jsonBody(), path: "", allowedKeys: ["name"])
            let name = try TextRules.name(fields.requiredString("name"), param: "name")
            let (account, key) = try await service.create(name: name, isAdmin: false)
            return JSONResponse.make(status: 201, ["account": AccountView.json(account), "api_key": .string(key.secret)])
        }
        routes.authenticated("GET", "/v1/accounts/me") { request, caller in
            try request.checkQuery(allowed: [])
            guard let account = try service.store.account(id: caller.accountID) else {
                throw PaddockError(.unauthenticated, "the account of this key no longer exists")
            }
            return JSONResponse.make(AccountView.json(account))
        }
        routes.authenticated("POST", "/v1/api_keys") { request, caller in
            try request.checkQuery(allowed: [])
            let fields = try FieldReader(request.jsonBody(emptyIsObject: true), path: "", allowedKeys: ["name"])
            let name = try fields.string("name", nullable: true).map { n throws(PaddockError) in try TextRules.name(n, param: "name") }
            let key = try await service.createKey(accountID: caller.accountID, name: name)
            return JSONResponse.make(status: 201, ["api_key": AccountView.json(key.record), "key": .string(key.secret)])
        }
        routes.authenticated("GET", "/v1/api_keys") { request, caller in
            try request.checkQuery(allowed: [])
            let keys = try service.store.apiKeys(accountID: caller.accountID)
            return JSONResponse.make(.object([
                "data": .array(keys.map(AccountView.json)), "has_more": false,
                "first_id": .string(keys.first?.id), "last_id": .string(keys.last?.id),
            ]))
        }
        routes.authenticated("DELETE", "/v1/api_keys/{id}") { request, caller in
            try request.checkQuery(allowed: [])
            let id = request.pathParameters["id"] ?? ""
            try await service.deleteKey(id: id, accountID: caller.accountID)
            authenticator.evict(keyID: id)
            return JSONResponse.make(["id": .string(id), "type": "api_key_deleted"])
        }
    }
}
