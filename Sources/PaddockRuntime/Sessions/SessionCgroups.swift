import Foundation
import Glibc
import PaddockCore

/// The cgroup directories of session containers: `paddock/<id>` below each hierarchy of
/// `/sys/fs/cgroup` (cgroup v1 and hybrid hosts: one per controller) or directly below it
/// (cgroup v2). runc removes them when it deletes a container; these helpers remove what a
/// crash or a failed create left.
enum SessionCgroups {
    /// Where cgroup hierarchies are mounted.
    static let mountRoot = "/sys/fs/cgroup"
    /// The parent cgroup of every session.
    static let parent = "paddock"

    /// The `cgroupsPath` of a session's container.
    static func path(for id: String) -> String { "/\(parent)/\(id)" }

    /// The existing cgroup directories of session `id`.
    static func directories(for id: String) -> [String] {
        var candidates = ["\(mountRoot)/\(parent)/\(id)"]
        for hierarchy in ImageFiles.names(in: mountRoot) {
            candidates.append("\(mountRoot)/\(hierarchy)/\(parent)/\(id)")
        }
        var seen = Set<String>()
        return candidates.filter { ImageFiles.isDirectory($0) && seen.insert(realPath($0)).inserted }
    }

    /// Removes the cgroup directories of `id`, killing processes still in them first.
    /// Blocking (waits up to about a second per directory for killed processes to leave).
    static func remove(id: String) -> (removed: [String], problems: [String]) {
        var removed: [String] = []
        var problems: [String] = []
        for directory in directories(for: id) {
            var done = false
            for _ in 0..<50 {
                if rmdir(directory) == 0 || errno == ENOENT {
                    done = true
                    break
                }
                guard errno == EBUSY else { break }
                for pid in processes(in: directory) { kill(pid, SIGKILL) }
                usleep(20_000)
            }
            if done {
                removed.append("cgroup \(directory)")
            } else {
                problems.append("cannot remove cgroup \(directory): \(String(cString: strerror(errno)))")
            }
        }
        return (removed, problems)
    }

    /// The pids listed in `<directory>/cgroup.procs`.
    private static func processes(in directory: String) -> [pid_t] {
        guard let text = try? String(contentsOfFile: "\(directory)/cgroup.procs", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { pid_t($0) }
    }

    private static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
