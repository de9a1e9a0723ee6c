/// A stored account. Plain data: validation and wire shapes live in PaddockCore.
public struct AccountRecord: Sendable, Hashable {
    /// Immutable id chosen by the caller (e.g. `acct_<ULID>`).
    public var id: String
    /// Unique across the whole store; compared exactly.
    public var name: String
    /// Whether this account may create other accounts.
    public var isAdmin: Bool
    /// RFC 3339 creation time, as given by the caller.
    public var createdAt: String

    /// Creates a record.
    public init(id: String, name: String, isAdmin: Bool, createdAt: String) {
        self.id = id
        self.name = name
        self.isAdmin = isAdmin
        self.createdAt = createdAt
    }
}

/// A stored API key. The key itself is never stored, only its SHA-256 hash.
public struct APIKeyRecord: Sendable, Hashable {
    /// Immutable id chosen by the caller.
    public var id: String
    /// The owning account.
    public var accountID: String
    /// The first 8 characters of the key, for display (`pdk_AbCd`).
    public var prefix: String
    /// Lower-case hex SHA-256 of the whole key; unique, and what a request's key is looked up by.
    public var hash: String
    /// A label chosen by the owner; may be empty.
    public var name: String
    /// RFC 3339 creation time, as given by the caller.
    public var createdAt: String

    /// Creates a record.
    public init(id: String, accountID: String, prefix: String, hash: String, name: String, createdAt: String) {
        self.id = id
        self.accountID = accountID
        self.prefix = prefix
        self.hash = hash
        self.name = name
        self.createdAt = createdAt
    }
}

/// A stored environment. `configJSON` and `metadataJSON` are opaque JSON text that the caller
/// serialises and validates; the store never looks inside.
public struct EnvironmentRecord: Sendable, Hashable {
    /// Immutable id `env_<ULID>`; ids sort by creation time, which the list order relies on.
    public var id: String
    /// Immutable owning account.
    public var accountID: String
    /// Mutable; unique within the account, compared exactly (byte for byte).
    public var name: String
    /// Mutable; `nil` is stored as SQL `NULL`.
    public var description: String?
    /// Mutable; the environment's `config` object as JSON text.
    public var configJSON: String
    /// Mutable; the environment's `metadata` object as JSON text.
    public var metadataJSON: String
    /// Immutable RFC 3339 creation time, as given by the caller.
    public var createdAt: String
    /// RFC 3339 time of the last change, as given by the caller.
    public var updatedAt: String

    /// Creates a record.
    public init(
        id: String, accountID: String, name: String, description: String?, configJSON: String,
        metadataJSON: String, createdAt: String, updatedAt: String
    ) {
        self.id = id
        self.accountID = accountID
        self.name = name
        self.description = description
        self.configJSON = configJSON
        self.metadataJSON = metadataJSON
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A stored session. The JSON columns are opaque text that the caller serialises and
/// validates; the store never looks inside. `status` and `terminationReason` hold the raw values
/// of PaddockCore's `SessionStatus` and `TerminationReason`.
///
/// Immutable after creation: everything but `status`, `errorJSON`, `terminationReason`,
/// `stepsJSON`, `provisioningLog`, `startedAt` and `endedAt` (the columns
/// `updateSession` writes).
public struct SessionRecord: Sendable, Hashable {
    /// `sess_<ULID>`; ids sort by creation time, which the list order relies on.
    public var id: String
    /// The owning account.
    public var accountID: String
    /// The environment the session was made from; it may since have been deleted.
    public var environmentID: String
    /// The environment's name when the session was made.
    public var environmentName: String
    /// The environment's `config` object as JSON text, as it was when the session was made.
    public var configJSON: String
    /// Mutable: `provisioning`, `running`, `failed` or `terminated`.
    public var status: String
    /// Mutable: `{"type": …, "message": …}` as JSON text once the session failed, else `nil`.
    public var errorJSON: String?
    /// Mutable: why the session ended (`deleted`, `timeout`, `idle`, `oom`, `error`), else `nil`.
    public var terminationReason: String?
    /// The `resources` object as JSON text.
    public var resourcesJSON: String
    /// The session's `env` object as JSON text.
    public var envJSON: String
    /// Seconds after the start at which the session is terminated.
    public var timeoutSeconds: Int
    /// Seconds without activity after which the session is terminated; 0 = never.
    public var idleTimeoutSeconds: Int
    /// The `metadata` object as JSON text.
    public var metadataJSON: String
    /// Mutable: the provisioning steps array as JSON text.
    public var stepsJSON: String
    /// Mutable: the final provisioning log, capped by the caller. Lists leave it `nil` (see
    /// `listSessions`); reads of one session and `updateSession` bodies see it.
    public var provisioningLog: String?
    /// RFC 3339 creation time, as given by the caller.
    public var createdAt: String
    /// Mutable: RFC 3339 time the session became `running`, else `nil`.
    public var startedAt: String?
    /// Mutable: RFC 3339 time the session ended (`failed` or `terminated`), else `nil`.
    public var endedAt: String?

    /// Creates a record; a new session has no error, reason, steps, log, start or end yet.
    public init(
        id: String, accountID: String, environmentID: String, environmentName: String, configJSON: String,
        status: String, errorJSON: String? = nil, terminationReason: String? = nil, resourcesJSON: String,
        envJSON: String, timeoutSeconds: Int, idleTimeoutSeconds: Int, metadataJSON: String,
        stepsJSON: String = "[]", provisioningLog: String? = nil, createdAt: String, startedAt: String? = nil,
        endedAt: String? = nil
    ) {
        self.id = id
        self.accountID = accountID
        self.environmentID = environmentID
        self.environmentName = environmentName
        self.configJSON = configJSON
        self.status = status
        self.errorJSON = errorJSON
        self.terminationReason = terminationReason
        self.resourcesJSON = resourcesJSON
        self.envJSON = envJSON
        self.timeoutSeconds = timeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.metadataJSON = metadataJSON
        self.stepsJSON = stepsJSON
        self.provisioningLog = provisioningLog
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.endedAt = endedAt
    }
}

/// How many objects a store holds, for `/metrics`.
public struct StoreCounts: Sendable, Hashable {
    /// Number of accounts.
    public var accounts: Int
    /// Number of environments, across all accounts.
    public var environments: Int
    /// Number of sessions by status (raw `SessionStatus` values), across all accounts; a status
    /// no session has is absent (use `sessions(_:)` for a count that defaults to 0).
    public var sessionsByStatus: [String: Int]

    /// Creates counts.
    public init(accounts: Int, environments: Int, sessionsByStatus: [String: Int] = [:]) {
        self.accounts = accounts
        self.environments = environments
        self.sessionsByStatus = sessionsByStatus
    }

    /// How many sessions have `status` (a raw `SessionStatus` value).
    public func sessions(_ status: String) -> Int { sessionsByStatus[status] ?? 0 }
}

/// One stored event of the network audit log (network.md "Audit log"). `protocolName` and
/// `reason` hold the raw values of PaddockCore's `EgressProtocol` and `EgressDenyReason`.
/// Immutable once stored.
public struct EgressEventRecord: Sendable, Hashable {
    /// Whether an attempt was let through; stored as `allowed` / `denied`.
    public enum Decision: String, Sendable, Hashable, CaseIterable {
        /// The attempt was allowed.
        case allowed
        /// The attempt was refused.
        case denied
    }

    /// Assigned by the store on append; increases with every event, so it is the page cursor.
    public var id: Int64
    /// The session the attempt came from.
    public var sessionID: String
    /// RFC 3339 time the attempt began.
    public var time: String
    /// How it reached Paddock (`connect`, `http`, `transparent-tls`, `transparent-http`, `dns`).
    public var protocolName: String
    /// The canonical host asked for.
    public var host: String
    /// The port asked for.
    public var port: Int
    /// The address connected to or resolved, when there is one.
    public var address: String?
    /// Allowed or denied.
    public var decision: Decision
    /// Why it was denied (`host_not_allowed`, …); nil when allowed.
    public var reason: String?
    /// Bytes from the session to the target.
    public var bytesUp: Int64
    /// Bytes from the target to the session.
    public var bytesDown: Int64
    /// How long the connection or lookup lasted, in milliseconds.
    public var durationMs: Int

    /// Creates a record.
    public init(
        id: Int64, sessionID: String, time: String, protocolName: String, host: String, port: Int, address: String?,
        decision: Decision, reason: String?, bytesUp: Int64, bytesDown: Int64, durationMs: Int
    ) {
        self.id = id
        self.sessionID = sessionID
        self.time = time
        self.protocolName = protocolName
        self.host = host
        self.port = port
        self.address = address
        self.decision = decision
        self.reason = reason
        self.bytesUp = bytesUp
        self.bytesDown = bytesDown
        self.durationMs = durationMs
    }
}

/// How many audit events were ever stored for one protocol and decision, and their bytes;
/// for `/metrics`. Totals keep counting when old events are dropped.
public struct EgressTotal: Sendable, Hashable {
    /// A raw `EgressProtocol` value.
    public var protocolName: String
    /// Allowed or denied.
    public var decision: EgressEventRecord.Decision
    /// Number of events.
    public var events: Int64
    /// Bytes from sessions to targets.
    public var bytesUp: Int64
    /// Bytes from targets to sessions.
    public var bytesDown: Int64

    /// Creates a total.
    public init(protocolName: String, decision: EgressEventRecord.Decision, events: Int64, bytesUp: Int64, bytesDown: Int64) {
        self.protocolName = protocolName
        self.decision = decision
        self.events = events
        self.bytesUp = bytesUp
        self.bytesDown = bytesDown
    }
}
