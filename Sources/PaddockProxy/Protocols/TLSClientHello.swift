/// Reads the server name (SNI) from the first TLS ClientHello of a connection, without
/// decrypting or changing anything: the bytes are forwarded upstream unchanged afterwards.
enum TLSClientHello {
    /// The outcome of looking at the bytes received so far.
    enum Parse: Sendable, Equatable {
        /// The ClientHello is not complete yet.
        case needMore
        /// Not a TLS ClientHello, or a broken one.
        case malformed
        /// A complete ClientHello, with its `server_name` when it has one.
        case hello(serverName: String?)
    }

    /// The most bytes buffered while waiting for a complete ClientHello.
    static let maxSize = 64 * 1024
    /// The first byte of a TLS handshake record (used to tell TLS from HTTP).
    static let handshakeRecord: UInt8 = 0x16

    /// Looks at the records in `bytes`: collects handshake fragments until the first handshake
    /// message is complete, then parses it as a ClientHello.
    static func parse(_ bytes: [UInt8]) -> Parse {
        var handshake: [UInt8] = []
        var offset = 0
        while true {
            if handshake.count >= 4 {
                let length = Int(handshake[1]) << 16 | Int(handshake[2]) << 8 | Int(handshake[3])
                guard handshake[0] == 0x01, length >= 38, length <= maxSize else { return .malformed }
                if handshake.count >= 4 + length {
                    guard let body = Body(Array(handshake[4..<(4 + length)])) else { return .malformed }
                    return body.serverName.map { .hello(serverName: $0) } ?? .malformed
                }
            }
            guard bytes.count - offset >= 5 else { return bytes.count >= maxSize ? .malformed : .needMore }
            guard bytes[offset] == handshakeRecord, bytes[offset + 1] == 0x03 else { return .malformed }
            let recordLength = Int(bytes[offset + 3]) << 8 | Int(bytes[offset + 4])
            guard recordLength > 0, recordLength <= 16_384 else { return .malformed }
            guard bytes.count - offset - 5 >= recordLength else { return bytes.count >= maxSize ? .malformed : .needMore }
            handshake += bytes[(offset + 5)..<(offset + 5 + recordLength)]
            offset += 5 + recordLength
        }
    }

    /// A ClientHello body: version, random, session id, cipher suites, compression methods,
    /// then optional extensions, each checked for length; extensions may not repeat.
    private struct Body {
        /// nil: malformed; `.some(nil)`: no SNI; `.some(name)`: the SNI host name.
        let serverName: String??

        init?(_ body: [UInt8]) {
            var reader = ByteReader(body)
            guard reader.skip(2 + 32),
                  let sessionIDLength = reader.u8(), sessionIDLength <= 32, reader.skip(Int(sessionIDLength)),
                  let suitesLength = reader.u16(), suitesLength >= 2, suitesLength % 2 == 0, reader.skip(Int(suitesLength)),
                  let compressionLength = reader.u8(), compressionLength >= 1, reader.skip(Int(compressionLength))
            else { return nil }
            if reader.remaining == 0 {
                serverName = .some(nil)
                return
            }
            guard let extensionsLength = reader.u16(), Int(extensionsLength) == reader.remaining else { return nil }
            var seen = Set<UInt16>()
            var name: String?
            while reader.remaining > 0 {
                guard let type = reader.u16(), let length = reader.u16(), let data = reader.take(Int(length)),
                      seen.insert(type).inserted else { return nil }
                if type == 0 {
                    guard let parsed = Self.serverName(data) else { return nil }
                    name = parsed
                }
            }
            serverName = .some(name)
        }

        /// The `server_name` extension: a list holding exactly one `host_name` entry of
        /// printable ASCII.
        static func serverName(_ data: ArraySlice<UInt8>) -> String? {
            var reader = ByteReader(Array(data))
            guard let listLength = reader.u16(), Int(listLength) == reader.remaining else { return nil }
            var name: String?
            while reader.remaining > 0 {
                guard let type = reader.u8(), let length = reader.u16(), let bytes = reader.take(Int(length)) else { return nil }
                guard type == 0 else { continue }
                guard name == nil, !bytes.isEmpty, bytes.count <= 255, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
                name = String(decoding: bytes, as: UTF8.self)
            }
            return name
        }
    }
}

/// Reads big-endian integers and byte runs from a buffer, failing instead of overrunning.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Bytes not read yet.
    var remaining: Int { bytes.count - offset }

    mutating func u8() -> UInt8? {
        guard remaining >= 1 else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() -> UInt16? {
        guard remaining >= 2 else { return nil }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func skip(_ count: Int) -> Bool { take(count) != nil }
}
