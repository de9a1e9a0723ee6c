// Reading strings (with UTF-8 validation and escapes), numbers and literals.

extension JSONReader {
    // MARK: - Strings

    /// Reads a string starting at its opening quote, leaving `position` after the
    /// closing quote.
    ///
    /// Strings without escapes are decoded straight from the input; otherwise the
    /// decoded bytes are gathered in `scratch`.
    mutating func readString() throws(JSONParseError) -> String {
        let opening = position
        let start = position + 1
        var i = start
        var runStart = start
        var escaped = false
        let end = input.count

        while true {
            // Fast path: plain printable ASCII.
            while i < end {
                let byte = input[i]
                guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") else {
                    break
                }
                i += 1
            }
            guard i < end else {
                throw JSONParseError(
                    offset: end,
                    reason: "unterminated string starting at byte \(opening): expected '\"', found end of input")
            }
            let byte = input[i]
            if byte == UInt8(ascii: "\"") {
                position = i + 1
                if !escaped {
                    return String(decoding: UnsafeBufferPointer(rebasing: input[start..<i]), as: UTF8.self)
                }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<i]))
                return String(decoding: scratch, as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                if !escaped {
                    escaped = true
                    scratch.removeAll(keepingCapacity: true)
                }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<i]))
                i = try readEscape(at: i)
                runStart = i
            } else if byte < 0x20 {
                throw JSONParseError(
                    offset: i,
                    reason: "unescaped control character U+00\(Self.hex(byte).dropFirst(2)) in string "
                        + "(control characters must be escaped)")
            } else {
                i += try validateUTF8Sequence(at: i)
            }
        }
    }

    /// Decodes the escape sequence whose backslash is at `start` into `scratch` and
    /// returns the offset just after it. Errors point at the backslash.
    private mutating func readEscape(at start: Int) throws(JSONParseError) -> Int {
        guard start + 1 < input.count else {
            throw JSONParseError(offset: start, reason: "expected an escape character after '\\', found end of input")
        }
        let simple: UInt8
        switch input[start + 1] {
        case UInt8(ascii: "\""): simple = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): simple = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): simple = UInt8(ascii: "/")
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            return try readUnicodeEscape(at: start)
        default:
            throw JSONParseError(
                offset: start,
                reason: "invalid escape: expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX, "
                    + "found '\\' followed by \(found(at: start + 1))")
        }
        scratch.append(simple)
        return start + 2
    }

    /// Decodes `\uXXXX` (and a following low surrogate escape if needed) at `start`.
    private mutating func readUnicodeEscape(at start: Int) throws(JSONParseError) -> Int {
        let unit = try hexQuad(escapeAt: start)
        var scalarValue = UInt32(unit)
        var next = start + 6
        switch unit {
        case 0xD800...0xDBFF:
            guard next + 1 < input.count,
                  input[next] == UInt8(ascii: "\\"), input[next + 1] == UInt8(ascii: "u") else {
                throw JSONParseError(
                    offset: start,
                    reason: "unpaired surrogate \(Self.escapeText(unit)): expected a low surrogate "
                        + "escape \\uDC00-\\uDFFF to follow, found \(found(at: next))")
            }
            let low = try hexQuad(escapeAt: next)
            guard (0xDC00...0xDFFF).contains(low) else {
                throw JSONParseError(
                    offset: start,
                    reason: "unpaired surrogate \(Self.escapeText(unit)): expected a low surrogate "
                        + "escape \\uDC00-\\uDFFF to follow, found \(Self.escapeText(low))")
            }
            scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            next += 6
        case 0xDC00...0xDFFF:
            throw JSONParseError(
                offset: start,
                reason: "unpaired surrogate \(Self.escapeText(unit)): a low surrogate must follow a high surrogate "
                    + "escape \\uD800-\\uDBFF")
        default:
            break
        }
        // Every value left is a valid scalar: surrogates were handled above.
        let scalar = Unicode.Scalar(scalarValue) ?? "\u{FFFD}"
        scratch.append(contentsOf: UTF8.encode(scalar) ?? UTF8.EncodedScalar())
        return next
    }

    /// Reads the four hex digits of the `\u` escape whose backslash is at `start`.
    private func hexQuad(escapeAt start: Int) throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for offset in start + 2 ..< start + 6 {
            guard offset < input.count, let digit = Self.hexValue(input[offset]) else {
                throw JSONParseError(
                    offset: start,
                    reason: "invalid escape: expected 4 hex digits after '\\u', found \(found(at: offset))")
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `\uD800` style text for a UTF-16 code unit.
    private static func escapeText(_ unit: UInt16) -> String {
        let digits = String(unit, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
    }

    // MARK: - UTF-8

    /// Validates the multi-byte UTF-8 sequence whose lead byte (>= 0x80) is at
    /// `start` and returns its length. Errors point at the lead byte.
    private func validateUTF8Sequence(at start: Int) throws(JSONParseError) -> Int {
        let lead = input[start]
        let length: Int
        // The allowed range of the second byte (RFC 3629 table), which rules out
        // overlong forms, UTF-16 surrogates and values above U+10FFFF.
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        var problem = "outside the allowed range"
        switch lead {
        case 0x80...0xBF:
            throw utf8Failure(at: start, "unexpected continuation byte \(Self.hex(lead))")
        case 0xC0, 0xC1:
            throw utf8Failure(at: start, "byte \(Self.hex(lead)) only starts overlong encodings")
        case 0xC2...0xDF:
            length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
            problem = "an overlong encoding"
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
            problem = "an encoded UTF-16 surrogate (U+D800-U+DFFF)"
        case 0xE1...0xEF:
            length = 3
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
            problem = "an overlong encoding"
        case 0xF1...0xF3:
            length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
            problem = "a code point above U+10FFFF"
        default:
            throw utf8Failure(at: start, "byte \(Self.hex(lead)) never appears in UTF-8")
        }
        for offset in start + 1 ..< start + length {
            guard offset < input.count else {
                throw utf8Failure(
                    at: start, "sequence starting with \(Self.hex(lead)) is truncated by the end of input")
            }
            let byte = input[offset]
            guard byte & 0xC0 == 0x80 else {
                throw utf8Failure(
                    at: start,
                    "\(Self.hex(lead)) must be followed by \(length - 1) continuation byte(s) (0x80-0xBF), "
                        + "found \(found(at: offset))")
            }
            if offset == start + 1, !secondRange.contains(byte) {
                throw utf8Failure(
                    at: start, "\(Self.hex(lead)) \(Self.hex(byte)) starts \(problem)")
            }
        }
        return length
    }

    private func utf8Failure(at offset: Int, _ detail: String) -> JSONParseError {
        JSONParseError(offset: offset, reason: "invalid UTF-8: \(detail)")
    }

    // MARK: - Numbers and literals

    /// Reads a number literal at `position` (a '-' or a digit).
    mutating func readNumber() throws(JSONParseError) -> JSONNumber {
        let start = position
        let end = input.count
        var i = start
        if input[i] == UInt8(ascii: "-") {
            i += 1
        }
        if i < end, input[i] == UInt8(ascii: "0") {
            i += 1
            if i < end, Self.isDigit(input[i]) {
                throw JSONParseError(offset: i, reason: "leading zeros are not allowed in numbers, found '0' "
                    + "followed by \(found(at: i))")
            }
        } else if i < end, Self.isDigit(input[i]) {
            i = skipDigits(from: i)
        } else {
            throw JSONParseError(offset: i, reason: "expected a digit after '-', found \(found(at: i))")
        }
        if i < end, input[i] == UInt8(ascii: ".") {
            i += 1
            guard i < end, Self.isDigit(input[i]) else {
                throw JSONParseError(offset: i, reason: "expected a digit after the decimal point, found \(found(at: i))")
            }
            i = skipDigits(from: i)
        }
        if i < end, input[i] == UInt8(ascii: "e") || input[i] == UInt8(ascii: "E") {
            i += 1
            if i < end, input[i] == UInt8(ascii: "+") || input[i] == UInt8(ascii: "-") {
                i += 1
            }
            guard i < end, Self.isDigit(input[i]) else {
                throw JSONParseError(offset: i, reason: "expected a digit in the exponent, found \(found(at: i))")
            }
            i = skipDigits(from: i)
        }
        guard i - start <= JSONParser.maxNumberLength else {
            throw JSONParseError(
                offset: start,
                reason: "number literal is \(i - start) characters long; at most \(JSONParser.maxNumberLength) "
                    + "are allowed")
        }
        position = i
        let literal = String(decoding: UnsafeBufferPointer(rebasing: input[start..<i]), as: UTF8.self)
        return JSONNumber(uncheckedLiteral: literal)
    }

    private func skipDigits(from offset: Int) -> Int {
        var i = offset
        while i < input.count, Self.isDigit(input[i]) {
            i += 1
        }
        return i
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    /// Reads `true`, `false` or `null` at `position`; a mismatch is reported at
    /// the first byte that differs.
    mutating func readLiteral(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        let expected = word.utf8Start
        for k in 0..<count {
            let offset = position + k
            guard offset < input.count, input[offset] == expected[k] else {
                throw JSONParseError(offset: offset, reason: "expected '\(word)', found \(found(at: offset))")
            }
        }
        position += count
    }
}
