import PaddockCore

extension PaddockStore {
    /// How many audit events the store keeps per session; older ones are dropped on append.
    public static let egressEventsPerSession = 10_000
    /// Hosts longer than this many characters are cut when stored (a malformed request may
    /// name anything; the log must stay bounded).
    public static let maxStoredEgressHost = 512

    /// Appends audit events in one transaction, in the order given, then drops the oldest
    /// events of each session involved beyond `egressEventsPerSession`, and adds the events to
    /// the totals. Events of a session that does not exist are skipped. Returns how many were
    /// stored.
    @discardableResult
    public func appendEgressEvents(_ events: [EgressEvent]) throws -> Int {
        guard !events.isEmpty else { return 0 }
        return try database.transaction {
            var existing: [String: Bool] = [:]
            for sessionID in Set(events.map(\.sessionID)) {
                existing[sessionID] = try !database.query("SELECT 1 AS found FROM sessions WHERE id = ?", [.text(sessionID)]).isEmpty
            }
            var totals: [TotalKey: (events: Int64, up: Int64, down: Int64)] = [:]
            var stored = 0
            for event in events where existing[event.sessionID] == true {
                let decision: EgressEventRecord.Decision = event.allowed ? .allowed : .denied
                try database.execute(
                    """
                    INSERT INTO egress_events
                        (session_id, time, protocol, host, port, address, decision, reason, bytes_up, bytes_down, duration_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(event.sessionID), .text(Timestamp.format(event.time)), .text(event.protocolName.rawValue),
                        .text(Self.storedHost(event.host)), .integer(event.port), .text(event.address),
                        .text(decision.rawValue), .text(event.reason?.rawValue), .integer(event.bytesUp),
                        .integer(event.bytesDown), .integer(event.durationMs),
                    ])
                let key = TotalKey(protocolName: event.protocolName.rawValue, decision: decision)
                let total = totals[key] ?? (0, 0, 0)
                totals[key] = (total.events + 1, total.up + event.bytesUp, total.down + event.bytesDown)
                stored += 1
            }
            for (sessionID, exists) in existing where exists {
                try trimEgressEvents(sessionID: sessionID)
            }
            for (key, total) in totals {
                try database.execute(
                    """
                    INSERT INTO egress_totals (protocol, decision, events, bytes_up, bytes_down) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (protocol, decision) DO UPDATE SET
                        events = events + excluded.events,
                        bytes_up = bytes_up + excluded.bytes_up,
                        bytes_down = bytes_down + excluded.bytes_down
                    """,
                    [.text(key.protocolName), .text(key.decision.rawValue), .integer(total.events), .integer(total.up),
                     .integer(total.down)])
            }
            return stored
        }
    }

    /// One page of a session's audit events, oldest first: events with an id above `afterID`
    /// (when given), only of `decision` (when given), at most `limit`; `hasMore` says whether
    /// more follow. One range scan of an index. Not scoped by account: the caller checks that
    /// the session is the requester's.
    public nonisolated func egressEvents(
        sessionID: String, decision: EgressEventRecord.Decision?, limit: Int, afterID: Int64?
    ) throws -> (items: [EgressEventRecord], hasMore: Bool) {
        guard limit >= 1 else {
            throw PaddockError.invalid("limit", "must be at least 1")
        }
        var sql = "SELECT \(Self.egressColumns) FROM egress_events WHERE session_id = ?"
        var parameters: [SQLiteValue] = [.text(sessionID)]
        if let decision {
            sql += " AND decision = ?"
            parameters.append(.text(decision.rawValue))
        }
        if let afterID {
            sql += " AND id > ?"
            parameters.append(.integer(afterID))
        }
        sql += " ORDER BY id ASC LIMIT ?"
        parameters.append(.integer(limit == Int.max ? limit : limit + 1))
        var items = try readers.next().query(sql, parameters).map(EgressEventRecord.init(row:))
        let hasMore = items.count > limit
        if hasMore { items.removeLast(items.count - limit) }
        return (items, hasMore)
    }

    /// Totals of every audit event ever stored, by protocol and decision, sorted by both.
    public nonisolated func egressTotals() throws -> [EgressTotal] {
        try readers.next().query(
            "SELECT protocol, decision, events, bytes_up, bytes_down FROM egress_totals ORDER BY protocol, decision"
        ).map { row in
            EgressTotal(protocolName: try row.string("protocol"), decision: try EgressEventRecord.Decision(stored: row.string("decision")),
                        events: try row.int64("events"), bytesUp: try row.int64("bytes_up"), bytesDown: try row.int64("bytes_down"))
        }
    }

    /// Drops the session's oldest events beyond the bound: finds the newest event that no
    /// longer fits (an index walk of at most the bound) and deletes it and everything older.
    private func trimEgressEvents(sessionID: String) throws {
        let rows = try database.query(
            "SELECT id FROM egress_events WHERE session_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?",
            [.text(sessionID), .integer(Self.egressEventsPerSession)])
        guard let cutoff = try rows.first?.int64("id") else { return }
        try database.execute("DELETE FROM egress_events WHERE session_id = ? AND id <= ?", [.text(sessionID), .integer(cutoff)])
    }

    private static func storedHost(_ host: String) -> String {
        host.count <= maxStoredEgressHost ? host : String(host.prefix(maxStoredEgressHost - 1)) + "…"
    }

    /// A row of `egress_totals`.
    private struct TotalKey: Hashable {
        let protocolName: String
        let decision: EgressEventRecord.Decision
    }

    /// The columns `EgressEventRecord.init(row:)` reads.
    package static let egressColumns =
        "id, session_id, time, protocol, host, port, address, decision, reason, bytes_up, bytes_down, duration_ms"
}

extension EgressEventRecord.Decision {
    /// Reads a stored decision; anything else is a schema bug.
    init(stored text: String) throws {
        guard let decision = Self(rawValue: text) else {
            throw PaddockError(.internal, "sqlite: '\(text)' is not an egress decision")
        }
        self = decision
    }
}

extension EgressEventRecord {
    /// Reads the columns of `PaddockStore.egressColumns`.
    init(row: SQLiteRow) throws {
        self.init(
            id: try row.int64("id"), sessionID: try row.string("session_id"), time: try row.string("time"),
            protocolName: try row.string("protocol"), host: try row.string("host"), port: try row.int("port"),
            address: try row.optionalString("address"), decision: try Decision(stored: row.string("decision")),
            reason: try row.optionalString("reason"), bytesUp: try row.int64("bytes_up"), bytesDown: try row.int64("bytes_down"),
            durationMs: try row.int("duration_ms"))
    }
}
