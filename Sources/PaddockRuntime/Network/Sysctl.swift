import Foundation
import Glibc
import PaddockCore

/// Reads and writes `/proc/sys` entries of the calling thread's network namespace.
enum Sysctl {
    /// Writes `value` to `/proc/sys/<key with dots as slashes>`.
    static func write(_ key: String, _ value: String) throws(PaddockError) {
        let path = self.path(key)
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw PaddockError(.internal, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array((value + "\n").utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw PaddockError(.internal, "cannot write \(value) to \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The trimmed contents of the entry, or nil when it does not exist.
    static func read(_ key: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path(key)) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether the entry exists.
    static func exists(_ key: String) -> Bool { access(path(key), F_OK) == 0 }

    private static func path(_ key: String) -> String {
        "/proc/sys/" + key.replacingOccurrences(of: ".", with: "/")
    }
}
