import PaddockCore

/// One numbered schema change: its statements run in one transaction together with the row in
/// `schema_migrations` that records it, so a migration is either wholly applied or not at all.
package struct Migration: Sendable {
    /// The schema version this migration produces; versions count up from 1 without gaps.
    package let version: Int
    /// One SQL statement per entry, run in order.
    package let statements: [String]

    /// Creates a migration.
    package init(version: Int, statements: [String]) {
        self.version = version
        self.statements = statements
    }
}

/// The schema of the Paddock store and the code that brings a database file up to it.
///
/// Applied versions are rows of `schema_migrations` (written with bound parameters, unlike
/// `PRAGMA user_version`). Only append to `all`: never edit a migration that has shipped.
package enum Migrations {
    /// Every migration, oldest first.
    package static let all: [Migration] = [
        Migration(version: 1, statements: [
            """
            CREATE TABLE accounts (
                id         TEXT PRIMARY KEY NOT NULL,
                name       TEXT NOT NULL,
                is_admin   INTEGER NOT NULL CHECK (is_admin IN (0, 1)),
                created_at TEXT NOT NULL
            ) STRICT
            """,
            "CREATE UNIQUE INDEX accounts_name ON accounts (name)",
            """
            CREATE TABLE api_keys (
                id         TEXT PRIMARY KEY NOT NULL,
                account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                prefix     TEXT NOT NULL,
                hash       TEXT NOT NULL,
                name       TEXT NOT NULL,
                created_at TEXT NOT NULL
            ) STRICT
            """,
            "CREATE UNIQUE INDEX api_keys_hash ON api_keys (hash)",
            "CREATE INDEX api_keys_account ON api_keys (account_id, id)",
            """
            CREATE TABLE environments (
                id            TEXT PRIMARY KEY NOT NULL,
                account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                name          TEXT NOT NULL,
                description   TEXT,
                config_json   TEXT NOT NULL,
                metadata_json TEXT NOT NULL,
                created_at    TEXT NOT NULL,
                updated_at    TEXT NOT NULL
            ) STRICT
            """,
            // Names compare exactly (BINARY is SQLite's default collation; spelled out on purpose).
            "CREATE UNIQUE INDEX environments_account_name ON environments (account_id, name COLLATE BINARY)",
            // Backs the newest-first list: a range scan per page, whatever the table size.
            "CREATE INDEX environments_account_id ON environments (account_id, id)",
        ]),
        Migration(version: 2, statements: [
            // No foreign key to environments: a session keeps its environment's snapshot
            // (`environment_name`, `config_json`) and outlives the environment's deletion.
            """
            CREATE TABLE sessions (
                id                   TEXT PRIMARY KEY NOT NULL,
                account_id           TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                environment_id       TEXT NOT NULL,
                environment_name     TEXT NOT NULL,
                config_json          TEXT NOT NULL,
                status               TEXT NOT NULL,
                error_json           TEXT,
                termination_reason   TEXT,
                resources_json       TEXT NOT NULL,
                env_json             TEXT NOT NULL,
                timeout_seconds      INTEGER NOT NULL,
                idle_timeout_seconds INTEGER NOT NULL,
                metadata_json        TEXT NOT NULL,
                steps_json           TEXT NOT NULL,
                provisioning_log     TEXT,
                created_at           TEXT NOT NULL,
                started_at           TEXT,
                ended_at             TEXT
            ) STRICT
            """,
            // Back the newest-first list, unfiltered and with each filter: one range scan per page.
            "CREATE INDEX sessions_account_id ON sessions (account_id, id)",
            "CREATE INDEX sessions_account_status ON sessions (account_id, status, id)",
            "CREATE INDEX sessions_account_environment ON sessions (account_id, environment_id, id)",
            // Finds the sessions in given states across accounts (restart recovery, timeouts, metrics).
            "CREATE INDEX sessions_status ON sessions (status, id)",
        ]),
        Migration(version: 3, statements: [
            // The network audit log (network.md "Audit log"): one row per outbound attempt,
            // at most `PaddockStore.egressEventsPerSession` per session (oldest dropped).
            """
            CREATE TABLE egress_events (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                time        TEXT NOT NULL,
                protocol    TEXT NOT NULL,
                host        TEXT NOT NULL,
                port        INTEGER NOT NULL,
                address     TEXT,
                decision    TEXT NOT NULL CHECK (decision IN ('allowed', 'denied')),
                reason      TEXT,
                bytes_up    INTEGER NOT NULL,
                bytes_down  INTEGER NOT NULL,
                duration_ms INTEGER NOT NULL
            ) STRICT
            """,
            // Backs the oldest-first page of one session and the trimming to the bound.
            "CREATE INDEX egress_events_session ON egress_events (session_id, id)",
            // Backs the page filtered by decision: one range scan as well.
            "CREATE INDEX egress_events_session_decision ON egress_events (session_id, decision, id)",
            // Totals of every event ever stored, by protocol and decision, for /metrics: they
            // survive the trimming of old events and restarts, and cost a few rows to read.
            """
            CREATE TABLE egress_totals (
                protocol   TEXT NOT NULL,
                decision   TEXT NOT NULL CHECK (decision IN ('allowed', 'denied')),
                events     INTEGER NOT NULL,
                bytes_up   INTEGER NOT NULL,
                bytes_down INTEGER NOT NULL,
                PRIMARY KEY (protocol, decision)
            ) STRICT
            """,
        ]),
    ]

    /// The newest schema version this build knows.
    package static var latestVersion: Int { all.last?.version ?? 0 }

    /// Brings `database` up to the newest version of `migrations`, one transaction per migration.
    /// Safe to run on every open and from several processes at once. Throws if the file was
    /// written by a newer Paddock (its version is above every version this build knows).
    package static func apply(_ migrations: [Migration] = all, to database: SQLiteDatabase) throws {
        for (offset, migration) in migrations.enumerated() where migration.version != offset + 1 {
            throw PaddockError(.internal, "migration \(migration.version) is out of order; expected version \(offset + 1)")
        }
        let latest = migrations.last?.version ?? 0
        try database.transaction {
            try database.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    INTEGER PRIMARY KEY NOT NULL,
                    applied_at TEXT NOT NULL
                ) STRICT
                """)
        }
        try refuseNewer(than: latest, database)
        let applied = try version(of: database)
        for migration in migrations where migration.version > applied {
            // Re-read the version inside each write transaction: another process may have just
            // applied this migration.
            try database.transaction {
                let current = try version(of: database)
                guard current < migration.version else { return }
                for statement in migration.statements {
                    try database.execute(statement)
                }
                try database.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                    [.integer(migration.version)])
            }
        }
    }

    private static func refuseNewer(than latest: Int, _ database: SQLiteDatabase) throws {
        let current = try version(of: database)
        guard current <= latest else {
            throw PaddockError(
                .internal,
                "the database '\(database.path)' has schema version \(current), but this Paddock knows only up to "
                    + "version \(latest); run a newer Paddock or use another data directory")
        }
    }

    /// The schema version of `database`: the highest applied migration, 0 for a new file.
    package static func version(of database: SQLiteDatabase) throws -> Int {
        let rows = try database.query("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations")
        return try rows.first?.int("version") ?? 0
    }
}
