import Foundation
import PaddockCore
import PaddockJSON
#if canImport(Glibc)
import Glibc
#endif

/// File-system steps shared by the base image builder and the layer store: random names for
/// temporary directories, atomic rename-publish, small JSON metadata files, stale-temp cleanup.
enum ImageFiles {
    /// Prefix of everything that is not (yet, or any more) a published image or layer.
    static let temporaryPrefix = ".tmp-"
    /// Prefix of the per-key lock files.
    static let lockPrefix = ".lock-"

    /// 16 random hex digits for a temporary name.
    static func token() -> String {
        let value = UInt64.random(in: .min ... .max)
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// `mkdir -p` with mode 0755.
    static func makeDirectory(_ path: String) throws(PaddockError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
        } catch {
            throw PaddockError(.internal, "cannot create directory \(path): \(error.localizedDescription)")
        }
    }

    /// Whether `path` is an existing directory (symlinks not followed).
    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Atomically renames `from` to `to`. Returns false, changing nothing, when `to` already
    /// exists as a non-empty directory (another builder published the same key first).
    static func publish(_ from: String, as to: String) throws(PaddockError) -> Bool {
        if rename(from, to) == 0 { return true }
        let code = errno
        if code == EEXIST || code == ENOTEMPTY { return false }
        throw PaddockError(.internal, "cannot rename \(from) to \(to): \(String(cString: strerror(code)))")
    }

    /// Removes `path`, reporting a failure in the returned text rather than throwing, for
    /// clean-up paths that already have an error to report.
    static func removeQuietly(_ path: String) -> String? {
        do {
            try DirectoryTree.remove(path)
            return nil
        } catch {
            return error.message
        }
    }

    /// Writes `value` to `path` through a temporary file and a rename.
    static func writeJSON(_ value: JSONValue, to path: String) throws(PaddockError) {
        do {
            try Data(JSONWriter.bytes(value)).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw PaddockError(.internal, "cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// The JSON object in `path`, or nil if it is missing or unreadable.
    static func readJSON(_ path: String) -> JSONObject? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return (try? JSONParser.parse(Array(data)))?.objectValue
    }

    /// Milliseconds since 1970, as stored in metadata files.
    static func milliseconds(_ date: Date) -> Int {
        Int((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// The date of a millisecond field of `object`, if present.
    static func date(_ object: JSONObject, _ field: String) -> Date? {
        guard let ms = object[field]?.numberValue?.intValue else { return nil }
        return Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    /// The names in `directory` (empty if it cannot be read).
    static func names(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// Removes every `.tmp-*` entry of `directory` whose key is not being built right now (its
    /// lock, found with `lockFor`, can be taken without waiting). Returns the names removed.
    static func removeStaleTemporaries(in directory: String, lockFor: (String) -> String?) -> [String] {
        var removed: [String] = []
        for name in names(in: directory) where name.hasPrefix(temporaryPrefix) {
            var lock: Int32 = -1
            if let lockPath = lockFor(name) {
                lock = open(lockPath, O_RDWR | O_CLOEXEC)
                if lock >= 0, flock(lock, LOCK_EX | LOCK_NB) != 0 {
                    close(lock)
                    continue  // a build of this key is running, in this process or another
                }
            }
            if removeQuietly("\(directory)/\(name)") == nil { removed.append(name) }
            if lock >= 0 { close(lock) }
        }
        return removed
    }
}
