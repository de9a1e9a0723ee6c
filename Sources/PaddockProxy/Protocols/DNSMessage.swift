import PaddockCore

/// The part of DNS (RFC 1035) the responder speaks: one-question queries in, answers with
/// A records, NXDOMAIN, or an error code out. Nothing is ever forwarded as a DNS packet.
enum DNSMessage {
    /// A query with exactly one question.
    struct Query: Sendable, Equatable {
        /// The transaction id, echoed in the answer.
        var id: UInt16
        /// The query's flags (its RD bit is echoed).
        var flags: UInt16
        /// The name asked for, labels joined with `.`, as sent (case kept); nil when a label holds
        /// bytes no host name can (so the name can never be allowed).
        var name: String?
        /// The question type (1 = A, 28 = AAAA).
        var type: UInt16
        /// The question class (1 = IN).
        var qclass: UInt16
        /// The question section as received (name, type, class), echoed in the answer.
        var question: [UInt8]
    }

    /// What to do with a datagram.
    enum Parse: Sendable, Equatable {
        /// Answer this query.
        case query(Query)
        /// Answer with this response code and no question (FORMERR, NOTIMP).
        case error(id: UInt16, flags: UInt16, rcode: ResponseCode)
        /// Not worth an answer (too short to carry an id, or itself a response).
        case drop
    }

    /// Response codes used by the responder.
    enum ResponseCode: UInt16, Sendable {
        case noError = 0
        case formatError = 1
        case serverFailure = 2
        case nameError = 3
        case notImplemented = 4
    }

    static let typeA: UInt16 = 1
    static let typeAAAA: UInt16 = 28
    static let classIN: UInt16 = 1
    /// The TTL of every answer, in seconds.
    static let answerTTL: UInt32 = 30
    /// The most A records in one answer (keeps it under 512 bytes).
    static let maxAnswers = 16

    /// Parses a query datagram.
    static func parse(_ bytes: [UInt8]) -> Parse {
        var reader = ByteReader(bytes)
        guard let id = reader.u16(), let flags = reader.u16() else { return .drop }
        guard flags & 0x8000 == 0 else { return .drop }
        guard let questions = reader.u16(), let answers = reader.u16(), let authorities = reader.u16(), reader.u16() != nil else {
            return .error(id: id, flags: flags, rcode: .formatError)
        }
        let opcode = (flags >> 11) & 0xF
        guard opcode == 0 else { return .error(id: id, flags: flags, rcode: .notImplemented) }
        guard questions == 1, answers == 0, authorities == 0 else { return .error(id: id, flags: flags, rcode: .formatError) }
        let questionStart = reader.offset
        var labels: [String] = []
        var valid = true
        var nameLength = 0
        while true {
            guard let length = reader.u8() else { return .error(id: id, flags: flags, rcode: .formatError) }
            if length == 0 { break }
            guard length <= 63, let label = reader.take(Int(length)) else { return .error(id: id, flags: flags, rcode: .formatError) }
            nameLength += Int(length) + 1
            guard nameLength <= 255 else { return .error(id: id, flags: flags, rcode: .formatError) }
            if !label.allSatisfy(isNameByte) { valid = false }
            labels.append(String(decoding: label, as: UTF8.self))
        }
        guard let type = reader.u16(), let qclass = reader.u16() else { return .error(id: id, flags: flags, rcode: .formatError) }
        let question = Array(bytes[questionStart..<reader.offset])
        return .query(Query(id: id, flags: flags, name: valid && !labels.isEmpty ? labels.joined(separator: ".") : nil,
                            type: type, qclass: qclass, question: question))
    }

    /// Bytes a host-name label may hold for the policy to consider it (letters, digits, `-`,
    /// and `_` so that such names are refused by the policy rather than misread).
    private static func isNameByte(_ byte: UInt8) -> Bool {
        ASCIIByte.isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    /// The answer to `query`: its question echoed, `rcode`, and one A record per address.
    static func response(to query: Query, rcode: ResponseCode, addresses: [IPv4Address] = []) -> [UInt8] {
        let answers = addresses.prefix(maxAnswers)
        var out: [UInt8] = []
        out.reserveCapacity(12 + query.question.count + answers.count * 16)
        append16(&out, query.id)
        append16(&out, responseFlags(query.flags, rcode: rcode))
        append16(&out, 1)
        append16(&out, UInt16(answers.count))
        append16(&out, 0)
        append16(&out, 0)
        out += query.question
        for address in answers {
            append16(&out, 0xC00C)  // a pointer to the question's name at offset 12
            append16(&out, typeA)
            append16(&out, classIN)
            append16(&out, UInt16(answerTTL >> 16))
            append16(&out, UInt16(answerTTL & 0xFFFF))
            append16(&out, 4)
            append16(&out, UInt16(address.value >> 16))
            append16(&out, UInt16(address.value & 0xFFFF))
        }
        return out
    }

    /// A header-only answer carrying `rcode` (for queries that could not be read).
    static func errorResponse(id: UInt16, flags: UInt16, rcode: ResponseCode) -> [UInt8] {
        var out: [UInt8] = []
        append16(&out, id)
        append16(&out, responseFlags(flags, rcode: rcode))
        for _ in 0..<4 { append16(&out, 0) }
        return out
    }

    /// QR set, opcode and RD echoed, RA set, the given response code.
    private static func responseFlags(_ queryFlags: UInt16, rcode: ResponseCode) -> UInt16 {
        0x8000 | (queryFlags & 0x7800) | (queryFlags & 0x0100) | 0x0080 | rcode.rawValue
    }

    private static func append16(_ out: inout [UInt8], _ value: UInt16) {
        out.append(UInt8(value >> 8))
        out.append(UInt8(value & 0xFF))
    }
}

/// ASCII byte classes.
enum ASCIIByte {
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
