import PaddockCore
import PaddockHTTP
import PaddockJSON
import PaddockStore

/// `/healthz`, `/v1/openapi.json` and `/metrics`: no API key needed.
struct ServiceController: Sendable {
    let store: PaddockStore
    let metrics: Metrics
    let loopbackOnly: Bool

    func addRoutes(to routes: inout RouteBuilder) {
        let store = self.store, metrics = self.metrics, loopbackOnly = self.loopbackOnly
        routes.open("GET", "/healthz") { _ in
            JSONResponse.make(["status": "ok"])
        }
        routes.open("GET", "/v1/openapi.json") { _ in
            HTTPResponse(status: 200, headers: [("content-type", "application/json")], body: .bytes(OpenAPIDocument.bytes))
        }
        routes.open("GET", "/metrics") { request in
            if loopbackOnly && !request.isLoopback {
                throw PaddockError(.permissionDenied, "metrics are served to loopback clients only; start the server with --metrics-public to change that")
            }
            let counts = try await store.counts()
            let text = metrics.render(gauges: [
                ("paddock_accounts", "Accounts in the store.", [("", Double(counts.accounts))]),
                ("paddock_environments", "Environments in the store.", [("", Double(counts.environments))]),
            ])
            return HTTPResponse(status: 200, headers: [("content-type", "text/plain; version=0.0.4")], body: .bytes(Array(text.utf8)))
        }
    }
}
