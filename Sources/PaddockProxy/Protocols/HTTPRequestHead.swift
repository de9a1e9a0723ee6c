import Foundation

/// The head of one HTTP/1.x request (request line and header fields), parsed strictly: CRLF
/// line ends, token method and field names, no obsolete line folding, no control characters.
struct HTTPRequestHead: Sendable, Equatable {
    /// One header field as received.
    struct Field: Sendable, Equatable {
        var name: String
        var value: String
    }

    /// The method, e.g. `GET` or `CONNECT`.
    var method: String
    /// The request target as sent: authority form, absolute URI or origin form.
    var target: String
    /// `HTTP/1.0` or `HTTP/1.1`.
    var version: String
    /// The header fields in order.
    var fields: [Field]

    /// The largest head the gateway reads, in bytes (more is refused as malformed).
    static let maxSize = 16 * 1024

    /// Header fields that describe one connection and are never forwarded (RFC 9110 §7.6.1),
    /// lower-case. `Transfer-Encoding` stays: the relay passes the body through unchanged.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer", "upgrade",
    ]

    /// The offset just past the blank line ending the head in `bytes`, or nil if it has not
    /// arrived yet.
    static func headEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 3..<bytes.count where bytes[index] == 0x0A && bytes[index - 1] == 0x0D
            && bytes[index - 2] == 0x0A && bytes[index - 3] == 0x0D {
            return index + 1
        }
        return nil
    }

    /// Parses a complete head (including the final blank line); nil when it is malformed.
    static func parse(_ bytes: ArraySlice<UInt8>) -> HTTPRequestHead? {
        guard bytes.count >= 4, bytes.suffix(4).elementsEqual([0x0D, 0x0A, 0x0D, 0x0A]) else { return nil }
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 0x0A {
                guard index > start, bytes[index - 1] == 0x0D else { return nil }
                lines.append(bytes[start..<(index - 1)])
                start = index + 1
            } else if byte == 0x0D {
                guard index + 1 < bytes.endIndex, bytes[index + 1] == 0x0A else { return nil }
            }
            index += 1
        }
        guard lines.count >= 2, lines.last?.isEmpty == true else { return nil }
        let requestLine = lines[0].split(separator: 0x20, omittingEmptySubsequences: false)
        guard requestLine.count == 3, !requestLine[0].isEmpty, requestLine[0].allSatisfy(isTokenByte),
              !requestLine[1].isEmpty, requestLine[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        let version = String(decoding: requestLine[2], as: UTF8.self)
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { return nil }
        var fields: [Field] = []
        for line in lines[1..<(lines.count - 1)] {
            guard let colon = line.firstIndex(of: 0x3A) else { return nil }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(isTokenByte) else { return nil }
            var value = line[(colon + 1)...]
            while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
            while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
            guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else { return nil }
            fields.append(Field(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
        }
        return HTTPRequestHead(method: String(decoding: requestLine[0], as: UTF8.self),
                               target: String(decoding: requestLine[1], as: UTF8.self), version: version, fields: fields)
    }

    /// The values of every field named `name` (case-insensitive).
    func values(of name: String) -> [String] {
        let wanted = name.lowercased()
        return fields.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// The head to send upstream: `target` in the request line, hop-by-hop fields (and those
    /// `Connection` names) dropped, `Host` set to `hostField`, and `Connection: close` so the
    /// connection carries this one exchange (a next request is decided on its own).
    func upstreamHead(target: String, hostField: String) -> [UInt8] {
        var dropped = Self.hopByHop
        dropped.insert("host")
        for value in values(of: "connection") {
            for token in value.split(separator: ",") {
                dropped.insert(token.trimmingCharacters(in: .whitespaces).lowercased())
            }
        }
        var text = "\(method) \(target) \(version)\r\nHost: \(hostField)\r\n"
        for field in fields where !dropped.contains(field.name.lowercased()) {
            text += "\(field.name): \(field.value)\r\n"
        }
        text += "Connection: close\r\n\r\n"
        return Array(text.utf8)
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"): true
        default: false
        }
    }
}
