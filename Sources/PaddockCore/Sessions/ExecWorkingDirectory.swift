/// The API check of exec's `cwd`. The agent checks again after resolving symlinks in the
/// container; this refuses the obvious cases early with a message that names the field.
public enum ExecWorkingDirectory {
    /// The longest path accepted, in UTF-8 bytes (Linux `PATH_MAX` less the terminating NUL).
    public static let maxBytes = 4095

    /// Returns `path` if it is absolute, NUL-free, at most `maxBytes` long and not under
    /// `/proc/<pid>/fd`; otherwise throws an `invalidArgument` error naming `param`.
    public static func validate(_ path: String, param: String) throws(PaddockError) -> String {
        if path.isEmpty {
            throw PaddockError.invalid(param, "must not be empty; give an absolute path such as '/workspace'")
        }
        if path.utf8.contains(0) {
            throw PaddockError.invalid(param, "contains a NUL character; remove it")
        }
        if path.utf8.count > maxBytes {
            throw PaddockError.invalid(param, "is \(path.utf8.count) bytes long; use at most \(maxBytes)")
        }
        guard path.hasPrefix("/") else {
            throw PaddockError.invalid(param, "'\(ClientText.shown(path))' is a relative path; give an absolute one, starting with '/' (e.g. '/workspace')")
        }
        if isUnderProcessFileDescriptors(path) {
            throw PaddockError.invalid(param, "'\(ClientText.shown(path))' is under /proc/<pid>/fd, which reaches the agent's open files; use a path in the session's file system")
        }
        return path
    }

    /// True for `/proc/<pid|self|thread-self>/fd` (and `…/task/<tid>/fd`) and anything below,
    /// after removing `.`, `..` and repeated slashes.
    public static func isUnderProcessFileDescriptors(_ path: String) -> Bool {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        guard parts.count >= 3, parts[0] == "proc" else { return false }
        func isProcess(_ part: Substring) -> Bool {
            part == "self" || part == "thread-self" || part.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        }
        guard isProcess(parts[1]) else { return false }
        if parts[2] == "fd" { return true }
        return parts.count >= 5 && parts[2] == "task" && isProcess(parts[3]) && parts[4] == "fd"
    }
}
