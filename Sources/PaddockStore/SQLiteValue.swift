/// One value bound to, or read from, an SQLite statement; mirrors SQLite's five storage classes.
package enum SQLiteValue: Sendable, Hashable {
    /// SQL `NULL`.
    case null
    /// A 64-bit signed integer (also how booleans are stored: 0 or 1).
    case integer(Int64)
    /// A 64-bit IEEE float.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Raw bytes.
    case blob([UInt8])

    /// Binds an optional string: `nil` becomes `NULL`.
    package static func text(_ value: String?) -> SQLiteValue {
        value.map(SQLiteValue.text) ?? .null
    }

    /// Binds a Swift `Int`.
    package static func integer(_ value: Int) -> SQLiteValue {
        .integer(Int64(value))
    }

    /// Binds a boolean as 0 or 1.
    package static func bool(_ value: Bool) -> SQLiteValue {
        .integer(value ? 1 : 0)
    }
}
