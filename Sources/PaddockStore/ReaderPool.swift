import Synchronization

/// A few read-only connections to the store's file, handed out round-robin. Each connection
/// serialises its own statements (`SQLiteDatabase` has a lock), so concurrent readers spread
/// over the pool instead of queueing behind one connection or behind the writer.
final class ReaderPool: Sendable {
    private let connections: [SQLiteDatabase]
    private let cursor = Atomic<Int>(0)

    init(path: String, count: Int) throws {
        var connections: [SQLiteDatabase] = []
        do {
            for _ in 0..<max(1, count) {
                let connection = try SQLiteDatabase(path: path)
                _ = try connection.execute("PRAGMA query_only=ON")
                connections.append(connection)
            }
        } catch {
            connections.forEach { $0.close() }
            throw error
        }
        self.connections = connections
    }

    /// The next connection to read from.
    func next() -> SQLiteDatabase {
        let i = cursor.add(1, ordering: .relaxed).oldValue
        return connections[(i & Int.max) % connections.count]
    }

    /// Closes every connection.
    func close() { connections.forEach { $0.close() } }
}
