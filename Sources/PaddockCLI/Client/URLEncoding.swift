/// Percent-encoding for path segments and query strings (RFC 3986 unreserved characters
/// are kept, everything else is encoded byte by byte).
enum URLEncoding {
    /// `value` with every byte outside `A-Z a-z 0-9 - . _ ~` percent-encoded.
    static func encode(_ value: String) -> String {
        var result = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF")
                result += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
            }
        }
        return result
    }

    /// `?a=1&b=2` for the given pairs in order, or `""` when there are none.
    static func query(_ pairs: [(String, String)]) -> String {
        guard !pairs.isEmpty else { return "" }
        return "?" + pairs.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    /// `base/segment` with the segment percent-encoded, e.g. `/v1/environments/env_01…`.
    static func path(_ base: String, _ segment: String) -> String {
        base + "/" + encode(segment)
    }
}
