import PaddockCore

/// One result row of `SQLiteDatabase.query`, with typed getters by column name.
///
/// A getter whose column is missing or holds another type throws `.internal`: that is a bug in
/// the SQL or the schema, never a client error.
package struct SQLiteRow: Sendable {
    /// Column name → index, shared by every row of one result.
    private let columnIndex: [String: Int]
    /// The values, in column order.
    package let values: [SQLiteValue]

    /// Creates a row; `columnIndex` maps each column name to its position in `values`.
    package init(columnIndex: [String: Int], values: [SQLiteValue]) {
        self.columnIndex = columnIndex
        self.values = values
    }

    /// The raw value of a column.
    package subscript(_ column: String) -> SQLiteValue? {
        columnIndex[column].map { values[$0] }
    }

    /// A non-null text column.
    package func string(_ column: String) throws -> String {
        guard case .text(let value) = try value(column) else { throw mismatch(column, "text") }
        return value
    }

    /// A text column that may be `NULL`.
    package func optionalString(_ column: String) throws -> String? {
        switch try value(column) {
        case .null: return nil
        case .text(let value): return value
        default: throw mismatch(column, "text or null")
        }
    }

    /// A non-null integer column.
    package func int64(_ column: String) throws -> Int64 {
        guard case .integer(let value) = try value(column) else { throw mismatch(column, "integer") }
        return value
    }

    /// A non-null integer column as `Int`.
    package func int(_ column: String) throws -> Int {
        Int(try int64(column))
    }

    /// A 0/1 integer column as `Bool`.
    package func bool(_ column: String) throws -> Bool {
        try int64(column) != 0
    }

    /// A non-null real column (integers are widened).
    package func double(_ column: String) throws -> Double {
        switch try value(column) {
        case .real(let value): return value
        case .integer(let value): return Double(value)
        default: throw mismatch(column, "real")
        }
    }

    /// A non-null blob column.
    package func blob(_ column: String) throws -> [UInt8] {
        guard case .blob(let value) = try value(column) else { throw mismatch(column, "blob") }
        return value
    }

    private func value(_ column: String) throws -> SQLiteValue {
        guard let index = columnIndex[column] else {
            throw PaddockError(.internal, "sqlite: result has no column '\(column)'")
        }
        return values[index]
    }

    private func mismatch(_ column: String, _ expected: String) -> PaddockError {
        PaddockError(.internal, "sqlite: column '\(column)' is not \(expected)")
    }
}
