import Foundation
import PaddockCore
import PaddockHTTP
import PaddockJSON
import PaddockRuntime
import PaddockStore

/// What sessions are made with: the runtime that runs them and the image cache it builds from.
public struct SessionBackend: Sendable {
    /// Runs the sessions (``LocalSessionRuntime`` on one machine).
    public var runtime: any SessionRuntime
    /// The base image builder the runtime uses.
    public var baseImages: BaseImageBuilder
    /// The layer cache the runtime uses.
    public var layers: LayerStore
    /// The layer cache's size bound in bytes.
    public var layerCacheLimitBytes: Int64
    /// Runs once at start, before sessions are reconciled: removes what an interrupted run
    /// left of builds (containers, mounts, temporary directories); returns what it removed.
    public var recoverBuilds: @Sendable () async -> [String]
    /// Runs once when the server stops, after the sessions service: stops what serves the
    /// sessions from this process (the egress gateway). Sessions keep running.
    public var shutdown: @Sendable () async -> Void

    /// Groups the parts.
    public init(runtime: any SessionRuntime, baseImages: BaseImageBuilder, layers: LayerStore, layerCacheLimitBytes: Int64,
                recoverBuilds: @escaping @Sendable () async -> [String] = { [] },
                shutdown: @escaping @Sendable () async -> Void = {}) {
        self.runtime = runtime
        self.baseImages = baseImages
        self.layers = layers
        self.layerCacheLimitBytes = layerCacheLimitBytes
        self.recoverBuilds = recoverBuilds
        self.shutdown = shutdown
    }
}

/// The whole HTTP API as a `Request -> Response` function: routing, request ids, auth, logs
/// and metrics. Testable without a socket; `PaddockServer` puts it behind libmicrohttpd.
public final class PaddockAPI: Sendable {
    /// The largest JSON body accepted.
    public static let maxJSONBody = 1 << 20

    let router: Router
    let metrics: Metrics
    let log: RequestLog
    let ids: IdentifierGenerator
    let store: PaddockStore
    let accounts: AccountService
    let sessions: SessionService
    let authenticator: Authenticator
    let recoverBuilds: @Sendable () async -> [String]
    let shutdownBackend: @Sendable () async -> Void
    /// The network audit log: give it to the egress gateway as its `EgressRecorder`.
    public let egressLog: EgressLog
    /// The preset host lists of `limited` policies, as served by `GET /v1/network/presets`.
    public let presets: LoadedPresets

    /// Builds the API over an open store and the session backend; `presets` are the bundled
    /// lists unless the operator gave others. `egressLog` is the audit log the backend's
    /// egress gateway records into (``makeEgressLog(store:)``); nil makes one.
    public init(store: PaddockStore, sessions backend: SessionBackend, logRequests: Bool = true,
                metricsFromLoopbackOnly: Bool = true, presets: LoadedPresets = .builtin, egressLog: EgressLog? = nil) {
        let ids = IdentifierGenerator.shared
        let log = RequestLog(enabled: logRequests)
        let metrics = Metrics()
        let authenticator = Authenticator(store: store)
        self.authenticator = authenticator
        let environments = EnvironmentService(store: store, ids: ids)
        let accounts = AccountService(store: store, ids: ids, environments: environments)
        let settings = SessionSettings()
        let images = ImageCache(baseImages: backend.baseImages, layers: backend.layers, limitBytes: backend.layerCacheLimitBytes)
        let sessions = SessionService(store: store, runtime: backend.runtime, ids: ids, settings: settings,
                                      afterProvisioning: { await images.enforceLimit() })
        let egressLog = egressLog ?? Self.makeEgressLog(store: store)
        metrics.addCounters { egressLog.counterFamilies }

        var routes = RouteBuilder(router: Router(), authenticator: authenticator, log: log)
        ServiceController(store: store, metrics: metrics, loopbackOnly: metricsFromLoopbackOnly).addRoutes(to: &routes)
        AccountController(service: accounts, authenticator: authenticator).addRoutes(to: &routes)
        EnvironmentController(service: environments).addRoutes(to: &routes)
        SessionController(service: sessions).addRoutes(to: &routes)
        SessionWorkController(service: sessions, runtime: backend.runtime, settings: settings).addRoutes(to: &routes)
        ImageController(cache: images).addRoutes(to: &routes)
        NetworkController(store: store, egressLog: egressLog, presets: presets).addRoutes(to: &routes)

        self.router = routes.router
        self.metrics = metrics
        self.log = log
        self.ids = ids
        self.store = store
        self.accounts = accounts
        self.sessions = sessions
        self.recoverBuilds = backend.recoverBuilds
        self.shutdownBackend = backend.shutdown
        self.egressLog = egressLog
        self.presets = presets
    }

    /// Recovers the sessions of an earlier run (re-adopting live containers, removing
    /// leftovers), restores the audit counters of earlier runs and starts the timeout sweeper.
    /// Call once before serving.
    public func startSessions() async throws {
        for leftover in await recoverBuilds() {
            log.event("removed build leftover", [("what", .string(leftover))])
        }
        try await egressLog.restoreTotals()
        try await sessions.start()
    }

    /// Stops the timeout sweeper and the backend's gateway; running sessions keep running for
    /// the next start to adopt. Writes the queued audit events; call before closing the store.
    public func stopSessions() async {
        await sessions.stop()
        await shutdownBackend()
        await egressLog.stop()
    }

    /// The audit log over `store`, its write errors logged like internal errors.
    public static func makeEgressLog(store: PaddockStore) -> EgressLog {
        let log = RequestLog()
        return EgressLog(store: store, onWriteError: { log.internalError($0, requestID: "none") })
    }

    /// Every route as `(method, pattern)`, for the OpenAPI consistency test.
    public var routes: [(method: String, pattern: String)] { router.routes }

    /// Creates the admin account on first start; returns its key, or nil when one exists.
    public func bootstrapAdminKey() async throws -> String? {
        try await accounts.bootstrapAdmin()?.secret
    }

    /// Handles one request.
    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let requestID = ids.make(.request)
        let start = DispatchTime.now().uptimeNanoseconds
        let match = router.route(request)
        var response = await RequestScope.$requestID.withValue(requestID) {
            await router.respond(to: request, match: match, notFound: { request in
                ErrorMapping.response(PaddockError(.notFound, "no route for \(Shown.text(request.method)) \(Shown.text(request.rawPath)); see GET /v1/openapi.json"),
                                      requestID: requestID)
            }, methodNotAllowed: { request, allowed in
                var response = ErrorMapping.response(
                    PaddockError(.methodNotAllowed, "\(Shown.text(request.method)) is not allowed on \(Shown.text(request.rawPath)); use \(allowed.joined(separator: ", "))"),
                    requestID: requestID)
                response.headers.append(("allow", allowed.joined(separator: ", ")))
                return response
            })
        }
        response.headers.append(("request-id", requestID))
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let route = match.pattern ?? "unmatched"
        metrics.record(method: request.method, route: route, status: response.status, seconds: seconds)
        log.request(id: requestID, method: request.method, route: route, path: request.path, status: response.status, durationMs: seconds * 1000)
        return response
    }

    /// The HTTP server for this API: JSON body limit, JSON error bodies for the requests the
    /// transport refuses itself, and libmicrohttpd's per-connection memory at its default size
    /// (it is cleared for every request, so larger costs time on every request).
    public func httpServer(host: String, port: Int, threads: Int,
                           errorLog: (@Sendable (String) -> Void)? = nil) -> HTTPServer {
        var configuration = HTTPServerConfiguration(host: host, port: port, threadCount: threads,
                                                    maxBodyBytes: Self.maxJSONBody,
                                                    bodyLimit: { [authenticator] method, path, header in
                                                        Self.bodyLimit(method: method, path: path, header: header,
                                                                       authenticator: authenticator)
                                                    },
                                                    connectionMemoryLimit: 32 * 1024, errorLog: errorLog)
        configuration.onTooLarge = { [self] limit in tooLargeResponse(limit: limit) }
        configuration.onMalformed = { [self] problem in malformedResponse(problem) }
        return HTTPServer(configuration: configuration, handler: { [self] request in await handle(request) })
    }

    /// The body limit of a route: file uploads and exec requests (with their stdin) may be
    /// larger than other JSON bodies — only for a caller with a valid key, checked before the
    /// body is read, so that nobody without one can make the server hold large bodies.
    static func bodyLimit(method: String, path: String, header: (String) -> String?, authenticator: Authenticator) -> Int {
        guard path.hasPrefix("/v1/sessions/") else { return maxJSONBody }
        let large: Int
        if method == "PUT" && path.hasSuffix("/files") {
            large = SessionWorkController.maxUploadBytes
        } else if method == "POST" && path.hasSuffix("/exec") {
            large = SessionWorkController.maxExecBody
        } else {
            return maxJSONBody
        }
        return authenticator.isAuthenticated(header: header) ? large : maxJSONBody
    }

    /// The response to a request whose body framing is ambiguous (the HTTP layer closes the
    /// connection after it).
    public func malformedResponse(_ problem: String) -> HTTPResponse {
        transportRefusal(PaddockError(.invalidArgument, "malformed request: \(problem)"))
    }

    /// The response for a body over the limit (the HTTP layer stops reading it).
    public func tooLargeResponse(limit: Int) -> HTTPResponse {
        transportRefusal(PaddockError(.tooLarge, "the request body is larger than \(limit) bytes; send a smaller body"))
    }

    /// An error response for a request the transport refuses before any route sees it.
    private func transportRefusal(_ error: PaddockError) -> HTTPResponse {
        let requestID = ids.make(.request)
        var response = ErrorMapping.response(error, requestID: requestID)
        response.headers.append(("request-id", requestID))
        return response
    }
}
