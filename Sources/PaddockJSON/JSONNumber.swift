/// A JSON number that keeps its literal text exactly as it appeared in the source.
///
/// Keeping the literal means no precision is lost when a document is parsed and
/// written back: `1.50`, `1e400` and `99999999999999999999` are all written out
/// unchanged. Equality compares the literal text, so `1`, `1.0` and `1e0` are
/// three different numbers.
public struct JSONNumber: Sendable, Equatable, CustomStringConvertible {
    /// The number exactly as written in the source, e.g. `"-12"` or `"1.5e3"`.
    ///
    /// Always a valid RFC 8259 number literal.
    public let literal: String

    /// Creates a number from an integer; the literal is its decimal representation.
    public init(_ int: Int) {
        literal = String(int)
    }

    /// Creates a number from a finite double, using Swift's shortest round-tripping
    /// representation (`1.0`, `0.1`, `1e+16`).
    ///
    /// - Precondition: `double.isFinite`; JSON cannot represent NaN or infinity.
    public init(_ double: Double) {
        precondition(double.isFinite, "JSON numbers must be finite, got \(double)")
        literal = double.description
    }

    /// Creates a number from literal text, or returns `nil` unless `literal` is a
    /// valid RFC 8259 number of at most ``JSONParser/maxNumberLength`` characters.
    public init?(literal: String) {
        var text = literal
        let valid = text.withUTF8 { bytes in
            JSONNumber.validLiteralLength(in: bytes, from: 0) == bytes.count
        }
        guard valid, literal.utf8.count <= JSONParser.maxNumberLength else { return nil }
        self.literal = literal
    }

    /// Creates a number from a literal the caller has already validated.
    init(uncheckedLiteral literal: String) {
        self.literal = literal
    }

    /// The value as an `Int` if the literal is an integer that fits exactly.
    ///
    /// `"12"` gives `12`; `"1.0"`, `"1e2"` and `"99999999999999999999"` give `nil`.
    public var intValue: Int? {
        // A valid JSON literal without '.', 'e' or 'E' is exactly what `Int.init?(_:)`
        // accepts, and that initializer rejects everything else (including overflow).
        Int(literal)
    }

    /// The value as the nearest `Double`; literals beyond its range give `±infinity`
    /// (`"1e400"`) or `±0` (`"1e-400"`).
    public var doubleValue: Double {
        Double(literal) ?? .nan
    }

    /// The literal text.
    public var description: String { literal }

    /// Returns the length of the longest valid number literal prefix starting at
    /// `start`, or `nil` if there is none. Used by ``init(literal:)``; the parser has
    /// its own scanner with precise error messages.
    static func validLiteralLength(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var i = start
        let end = bytes.count
        func digits() -> Bool {
            let first = i
            while i < end, bytes[i] &- UInt8(ascii: "0") < 10 { i += 1 }
            return i > first
        }
        if i < end, bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < end else { return nil }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else if !digits() {
            return nil
        }
        if i < end, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() else { return nil }
        }
        if i < end, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < end, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() else { return nil }
        }
        return i - start
    }
}
