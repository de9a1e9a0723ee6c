import Glibc
import PaddockCore

/// The mount operations sessions and builds need, as thin calls of `mount(2)` / `umount2(2)`
/// (no `mount` program is spawned), plus a reader of `/proc/self/mountinfo` for clean-up.
public enum Mounts {
    /// Mounts a tmpfs of at most `sizeMB` MiB at `target` (`nosuid,nodev`, mode 0755).
    public static func mountTmpfs(at target: String, sizeMB: Int) throws(PaddockError) {
        try call("mount tmpfs at \(target)") {
            mount("tmpfs", target, "tmpfs", UInt(MS_NOSUID | MS_NODEV), "size=\(sizeMB)m,mode=0755")
        }
    }

    /// Mounts an overlay at `target`: `lower` top first (the base image last), `upper` and `work`
    /// on one filesystem. Fails with `invalidArgument` when a path contains `,` or `:` (they
    /// would split the option string).
    public static func mountOverlay(at target: String, lower: [String], upper: String, work: String) throws(PaddockError) {
        for path in lower + [upper, work] where path.contains(",") || path.contains(":") {
            throw .invalid("overlay", "path \(path) contains ',' or ':' which overlayfs options cannot carry")
        }
        guard !lower.isEmpty else { throw .invalid("overlay", "needs at least one lower directory") }
        let options = "lowerdir=\(lower.joined(separator: ":")),upperdir=\(upper),workdir=\(work)"
        try call("mount overlay at \(target)") { mount("overlay", target, "overlay", 0, options) }
    }

    /// Mounts a read-only overlay of `lower` (top first) at `target`, without upper dir.
    public static func mountReadOnlyOverlay(at target: String, lower: [String]) throws(PaddockError) {
        guard lower.count >= 2 else {
            throw .invalid("overlay", "a read-only overlay needs at least two lower directories")
        }
        try call("mount overlay at \(target)") {
            mount("overlay", target, "overlay", UInt(MS_RDONLY), "lowerdir=\(lower.joined(separator: ":"))")
        }
    }

    /// Unmounts `target`; with `detach`, lazily (MNT_DETACH) so a busy mount still goes away.
    /// Not mounted counts as success.
    public static func unmount(_ target: String, detach: Bool = true) throws(PaddockError) {
        if umount2(target, detach ? Int32(MNT_DETACH) : 0) == 0 { return }
        let code = errno
        if code == EINVAL || code == ENOENT { return }  // not a mount point (any more)
        throw PaddockError(.internal, "umount \(target): \(String(cString: strerror(code)))")
    }

    /// The mount points at or below `directory`, deepest first (the order to unmount them in).
    public static func mountPoints(under directory: String) -> [String] {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return mountInfoTargets()
            .filter { $0 == directory || $0.hasPrefix(prefix) }
            .sorted { $0.count > $1.count }
    }

    /// Whether `path` is a mount point now.
    public static func isMountPoint(_ path: String) -> Bool {
        mountInfoTargets().contains(path)
    }

    /// Unmounts everything at or below `directory`, deepest first; returns what it unmounted.
    @discardableResult
    public static func unmountAll(under directory: String) -> [String] {
        var done: [String] = []
        for target in mountPoints(under: directory) where (try? unmount(target)) != nil {
            done.append(target)
        }
        return done
    }

    // MARK: - Internals

    private static func call(_ what: String, _ body: () -> Int32) throws(PaddockError) {
        guard body() == 0 else {
            throw PaddockError(.internal, "\(what): \(String(cString: strerror(errno)))")
        }
    }

    /// Field 5 of every `/proc/self/mountinfo` line, with octal escapes (`\040`) decoded.
    static func mountInfoTargets() -> [String] {
        guard let file = fopen("/proc/self/mountinfo", "r") else { return [] }
        defer { fclose(file) }
        var targets: [String] = []
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            let fields = String(cString: line).split(separator: " ", omittingEmptySubsequences: false)
            if fields.count > 4 { targets.append(decodeOctalEscapes(String(fields[4]))) }
        }
        return targets
    }

    /// Decodes mountinfo's `\ooo` escapes (space, tab, newline, backslash).
    static func decodeOctalEscapes(_ text: String) -> String {
        var bytes: [UInt8] = []
        let raw = Array(text.utf8)
        var index = 0
        while index < raw.count {
            if raw[index] == UInt8(ascii: "\\"), index + 3 < raw.count + 0,
               let value = UInt8(String(decoding: raw[(index + 1)...(index + 3)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(raw[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
