/// Why and where a JSON document was rejected.
///
/// `description` is suitable for returning to API clients, e.g.
/// `invalid JSON at byte 7: expected a string key after ',', found '}' (trailing commas are not allowed)`.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 0-based byte offset into the input where the problem is.
    ///
    /// Errors inside an escape sequence point at its backslash, invalid UTF-8 at the
    /// first byte of the ill-formed sequence, and any other unexpected end of input
    /// at the input's length.
    public let offset: Int

    /// A lower-case explanation saying what was expected and what was found.
    public let reason: String

    /// Creates an error at `offset` with `reason`.
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    /// `"invalid JSON at byte <offset>: <reason>"`.
    public var description: String {
        "invalid JSON at byte \(offset): \(reason)"
    }
}
