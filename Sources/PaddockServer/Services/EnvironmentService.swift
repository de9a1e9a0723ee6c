import Foundation
import PaddockCore
import PaddockJSON
import PaddockStore

/// One page of a list.
struct Page<Item: Sendable>: Sendable {
    let items: [Item]
    let hasMore: Bool
}

/// Creates, reads, updates and deletes environments, always within the caller's account.
struct EnvironmentService: Sendable {
    let store: PaddockStore
    let ids: IdentifierGenerator
    let cache = EnvironmentCache()

    /// The name every account's undeletable environment has.
    static let defaultName = "default"

    func create(_ request: EnvironmentCreateRequest, accountID: String) async throws -> EnvironmentRecord {
        let now = Date()
        let stamp = Timestamp.format(now)
        let record = EnvironmentRecord(
            id: ids.make(.environment, now: now), accountID: accountID, name: request.name,
            description: request.description,
            configJSON: JSONWriter.string(request.config.json), metadataJSON: JSONWriter.string(request.metadata.json),
            createdAt: stamp, updatedAt: stamp)
        try await store.createEnvironment(record)
        return record
    }

    /// The configuration of an account's `default` environment, as a record.
    func defaultEnvironment(accountID: String, now: Date) -> EnvironmentRecord {
        let stamp = Timestamp.format(now)
        return EnvironmentRecord(
            id: ids.make(.environment, now: now), accountID: accountID, name: Self.defaultName, description: nil,
            configJSON: JSONWriter.string(EnvironmentConfig().json), metadataJSON: "{}",
            createdAt: stamp, updatedAt: stamp)
    }

    /// The JSON body of one environment (`JSONResponse` bytes), from the cache when unchanged.
    func body(_ id: String, accountID: String) throws -> [UInt8] {
        if let body = cache.body(id: id, accountID: accountID) { return body }
        let epoch = cache.epoch
        guard let record = try store.environment(id: id, accountID: accountID) else { throw Self.notFound(id) }
        let body = JSONResponse.body(try EnvironmentView.json(record))
        cache.store(id: id, accountID: accountID, body: body, readAt: epoch)
        return body
    }

    func get(_ id: String, accountID: String) async throws -> EnvironmentRecord {
        guard let record = try store.environment(id: id, accountID: accountID) else { throw Self.notFound(id) }
        return record
    }

    func list(accountID: String, limit: Int, afterID: String?, beforeID: String?, name: String?) async throws -> Page<EnvironmentRecord> {
        let result = try store.listEnvironments(accountID: accountID, limit: limit, afterID: afterID, beforeID: beforeID, name: name)
        return Page(items: result.items, hasMore: result.hasMore)
    }

    func update(_ id: String, _ request: EnvironmentUpdateRequest, accountID: String) async throws -> EnvironmentRecord {
        defer { cache.invalidate(id: id) }
        do {
            return try await store.modifyEnvironment(id: id, accountID: accountID) { record in
                let before = try Self.state(of: record)
                var state = before
                try request.apply(to: &state)
                if state == before { return }  // nothing changes, so updated_at does not move either
                if record.name == Self.defaultName, state.name != Self.defaultName {
                    throw PaddockError.invalid("name", "the default environment cannot be renamed; create a new environment instead")
                }
                record.name = state.name
                record.description = state.description
                record.configJSON = JSONWriter.string(state.config.json)
                record.metadataJSON = JSONWriter.string(state.metadata.json)
                record.updatedAt = Timestamp.format(Date())
            }
        } catch let error as PaddockError where error.code == .notFound {
            throw Self.notFound(id)
        }
    }

    func delete(_ id: String, accountID: String) async throws {
        let record = try await get(id, accountID: accountID)
        if record.name == Self.defaultName {
            throw PaddockError(.invalidArgument,
                               "the default environment cannot be deleted; update it instead, or delete the environments you created")
        }
        defer { cache.invalidate(id: id) }
        try await store.deleteEnvironment(id: id, accountID: accountID)
    }

    /// The validated state stored in a record.
    static func state(of record: EnvironmentRecord) throws -> EnvironmentState {
        let config = try EnvironmentConfig.parse(JSONParser.parse(Array(record.configJSON.utf8)))
        let metadata = try Metadata.parse(JSONParser.parse(Array(record.metadataJSON.utf8)), param: "metadata")
        return EnvironmentState(name: record.name, description: record.description, config: config, metadata: metadata)
    }

    static func notFound(_ id: String) -> PaddockError {
        PaddockError(.notFound, "no environment with id '\(Shown.text(id))' in this account; list them with GET /v1/environments")
    }
}

/// The wire form of an environment.
enum EnvironmentView {
    static func json(_ record: EnvironmentRecord) throws -> JSONValue {
        [
            "id": .string(record.id),
            "type": "environment",
            "name": .string(record.name),
            "description": .string(record.description),
            "config": try JSONParser.parse(Array(record.configJSON.utf8)),
            "metadata": try JSONParser.parse(Array(record.metadataJSON.utf8)),
            "status": "ready",
            "created_at": .string(record.createdAt),
            "updated_at": .string(record.updatedAt),
        ]
    }
}
