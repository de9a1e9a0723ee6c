import PaddockCore

extension PaddockStore {
    /// Stores a new session of an existing account; `.notFound` if the account does not exist.
    /// The environment is not looked up: the record carries its snapshot. A `status` or
    /// `terminationReason` that is not a raw value of PaddockCore's enums is `.internal`.
    @discardableResult
    public func createSession(_ record: SessionRecord) throws -> SessionRecord {
        try Self.checkStates(record)
        try database.transaction {
            _ = try existingAccount(id: record.accountID)
            // A taken id means the caller's id generator repeated itself: `.internal`.
            try mappingConflicts([:]) {
                try database.execute(
                    """
                    INSERT INTO sessions (\(Self.sessionColumns))
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(record.id), .text(record.accountID), .text(record.environmentID),
                        .text(record.environmentName), .text(record.configJSON), .text(record.status),
                        .text(record.errorJSON), .text(record.terminationReason), .text(record.resourcesJSON),
                        .text(record.envJSON), .integer(record.timeoutSeconds), .integer(record.idleTimeoutSeconds),
                        .text(record.metadataJSON), .text(record.stepsJSON), .text(record.provisioningLog),
                        .text(record.createdAt), .text(record.startedAt), .text(record.endedAt),
                    ])
            }
        }
        return record
    }

    /// The account's session with this id, log included, or `nil` (also when another account
    /// owns it).
    public nonisolated func session(id: String, accountID: String) throws -> SessionRecord? {
        try readers.next().query(
            "SELECT \(Self.sessionColumns) FROM sessions WHERE id = ? AND account_id = ?", [.text(id), .text(accountID)]
        ).first.map(SessionRecord.init(row:))
    }

    /// The session with this id in any account, log included, or `nil`. For the server's own
    /// bookkeeping; requests must use `session(id:accountID:)`.
    public nonisolated func session(id: String) throws -> SessionRecord? {
        try Self.session(id: id, in: readers.next())
    }

    static func session(id: String, in database: SQLiteDatabase) throws -> SessionRecord? {
        try database.query("SELECT \(sessionColumns) FROM sessions WHERE id = ?", [.text(id)])
            .first.map(SessionRecord.init(row:))
    }

    /// One page of the account's sessions, newest first (by id, which sorts by creation), with
    /// the same cursor rules as `listEnvironments`: `afterID` continues towards older sessions,
    /// `beforeID` goes back towards newer ones (at most one of them), and `hasMore` says whether
    /// more lie beyond the page in the walking direction. `status` (a raw `SessionStatus`) and
    /// `environmentID` filter exactly. Each page is one range scan of an index.
    ///
    /// The records' `provisioningLog` is always `nil` here, so that a page costs the same
    /// whatever the logs weigh; read one session for its log.
    public nonisolated func listSessions(
        accountID: String, status: String?, environmentID: String?, limit: Int, afterID: String?, beforeID: String?
    ) throws -> (items: [SessionRecord], hasMore: Bool) {
        guard limit >= 1 else {
            throw PaddockError.invalid("limit", "must be at least 1")
        }
        if afterID != nil, beforeID != nil {
            throw PaddockError.invalid("before_id", "cannot be combined with after_id; pass only one cursor")
        }
        let (sql, parameters) = Self.sessionListQuery(
            accountID: accountID, status: status, environmentID: environmentID,
            limit: limit == Int.max ? limit : limit + 1, afterID: afterID, beforeID: beforeID)
        var items = try readers.next().query(sql, parameters).map(SessionRecord.init(row:))
        let hasMore = items.count > limit
        if hasMore { items.removeLast(items.count - limit) }
        if beforeID != nil { items.reverse() }
        return (items, hasMore)
    }

    /// The SQL and parameters of one list page (`limit` rows, ascending ids when `beforeID` is
    /// set, descending otherwise). Only fixed fragments are joined; every value is bound.
    package static func sessionListQuery(
        accountID: String, status: String?, environmentID: String?, limit: Int, afterID: String?, beforeID: String?
    ) -> (sql: String, parameters: [SQLiteValue]) {
        var sql = "SELECT \(sessionSummaryColumns) FROM sessions WHERE account_id = ?"
        var parameters: [SQLiteValue] = [.text(accountID)]
        if let status {
            sql += " AND status = ?"
            parameters.append(.text(status))
        }
        if let environmentID {
            sql += " AND environment_id = ?"
            parameters.append(.text(environmentID))
        }
        if let afterID {
            sql += " AND id < ?"
            parameters.append(.text(afterID))
        } else if let beforeID {
            sql += " AND id > ?"
            parameters.append(.text(beforeID))
        }
        sql += beforeID != nil ? " ORDER BY id ASC LIMIT ?" : " ORDER BY id DESC LIMIT ?"
        parameters.append(.integer(limit))
        return (sql, parameters)
    }

    /// Reads, changes with `body` and writes back one session (any account) in a single write
    /// transaction, so concurrent changes (even from other processes) never lose a write; returns
    /// the stored record. Only `status`, `errorJSON`, `terminationReason`, `stepsJSON`,
    /// `provisioningLog`, `startedAt` and `endedAt` are written; changes to other fields are
    /// ignored. If `body` changes nothing, nothing is written. A throw from `body` leaves the
    /// session untouched. `.notFound` if there is no session with this id.
    public func updateSession(id: String, _ body: sending (inout SessionRecord) throws -> Void) throws -> SessionRecord {
        try database.transaction {
            guard let original = try Self.session(id: id, in: database) else {
                throw PaddockError(.notFound, "session '\(id)' not found")
            }
            var changed = original
            try body(&changed)
            var record = original
            record.status = changed.status
            record.errorJSON = changed.errorJSON
            record.terminationReason = changed.terminationReason
            record.stepsJSON = changed.stepsJSON
            record.provisioningLog = changed.provisioningLog
            record.startedAt = changed.startedAt
            record.endedAt = changed.endedAt
            guard record != original else { return original }
            try Self.checkStates(record)
            try database.execute(
                """
                UPDATE sessions
                SET status = ?, error_json = ?, termination_reason = ?, steps_json = ?, provisioning_log = ?,
                    started_at = ?, ended_at = ?
                WHERE id = ?
                """,
                [
                    .text(record.status), .text(record.errorJSON), .text(record.terminationReason),
                    .text(record.stepsJSON), .text(record.provisioningLog), .text(record.startedAt),
                    .text(record.endedAt), .text(record.id),
                ])
            return record
        }
    }

    /// Every session, in any account, whose status is one of `statuses` (raw `SessionStatus`
    /// values), oldest first; for recovery after a restart and for timeout scans. As in lists,
    /// `provisioningLog` is `nil`.
    public nonisolated func sessions(withStatuses statuses: [String]) throws -> [SessionRecord] {
        guard !statuses.isEmpty else { return [] }
        let (sql, parameters) = Self.sessionStatusQuery(statuses)
        return try readers.next().query(sql, parameters).map(SessionRecord.init(row:))
    }

    /// The SQL and parameters of `sessions(withStatuses:)` for a non-empty list: one bound
    /// placeholder per distinct status, so only fixed fragments are joined.
    package static func sessionStatusQuery(_ statuses: [String]) -> (sql: String, parameters: [SQLiteValue]) {
        let distinct = Array(Set(statuses)).sorted()
        let placeholders = Array(repeating: "?", count: distinct.count).joined(separator: ", ")
        return ("SELECT \(sessionSummaryColumns) FROM sessions WHERE status IN (\(placeholders)) ORDER BY id",
                distinct.map(SQLiteValue.text))
    }

    /// How many sessions each status has, across accounts (statuses with none are absent).
    func sessionCountsByStatus() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try database.query("SELECT status, COUNT(*) AS count FROM sessions GROUP BY status") {
            counts[try row.string("status")] = try row.int("count")
        }
        return counts
    }

    /// The columns `SessionRecord.init(row:)` reads, in table order.
    package static let sessionColumns = """
        id, account_id, environment_id, environment_name, config_json, status, error_json, termination_reason, \
        resources_json, env_json, timeout_seconds, idle_timeout_seconds, metadata_json, steps_json, provisioning_log, \
        created_at, started_at, ended_at
        """

    /// `sessionColumns` with the provisioning log left out (read as `NULL`).
    package static let sessionSummaryColumns = """
        id, account_id, environment_id, environment_name, config_json, status, error_json, termination_reason, \
        resources_json, env_json, timeout_seconds, idle_timeout_seconds, metadata_json, steps_json, \
        NULL AS provisioning_log, created_at, started_at, ended_at
        """

    /// Refuses a status or termination reason that PaddockCore does not define: a caller bug.
    private static func checkStates(_ record: SessionRecord) throws {
        guard SessionStatus(rawValue: record.status) != nil else {
            throw PaddockError(.internal, "session '\(record.id)': '\(record.status)' is not a session status")
        }
        if let reason = record.terminationReason, TerminationReason(rawValue: reason) == nil {
            throw PaddockError(.internal, "session '\(record.id)': '\(reason)' is not a termination reason")
        }
    }
}

extension SessionRecord {
    /// Reads the columns of `PaddockStore.sessionColumns`.
    init(row: SQLiteRow) throws {
        self.init(
            id: try row.string("id"), accountID: try row.string("account_id"),
            environmentID: try row.string("environment_id"), environmentName: try row.string("environment_name"),
            configJSON: try row.string("config_json"), status: try row.string("status"),
            errorJSON: try row.optionalString("error_json"), terminationReason: try row.optionalString("termination_reason"),
            resourcesJSON: try row.string("resources_json"), envJSON: try row.string("env_json"),
            timeoutSeconds: try row.int("timeout_seconds"), idleTimeoutSeconds: try row.int("idle_timeout_seconds"),
            metadataJSON: try row.string("metadata_json"), stepsJSON: try row.string("steps_json"),
            provisioningLog: try row.optionalString("provisioning_log"), createdAt: try row.string("created_at"),
            startedAt: try row.optionalString("started_at"), endedAt: try row.optionalString("ended_at"))
    }
}
