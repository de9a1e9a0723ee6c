import Foundation
import PaddockCore
#if canImport(Glibc)
import Glibc
#endif

/// What a build leaves in its upper dir that must not become part of the layer, and its removal
/// (run after the overlay is unmounted, when nothing else touches the upper dir):
///
/// - the mount-point stubs runc created for the bind mounts (e.g. `/paddock/setup.sh` and
///   `/paddock`, or `/etc/resolv.conf` when the image has none): removed when still empty;
/// - everything in `/tmp`;
/// - `/var/cache/apt/pkgcache.bin` and `srcpkgcache.bin` (apt rebuilds them on demand);
/// - for the package-manager layers only, the download caches `/root/.cache` and `/root/.npm`
///   (a setup script may fill `~/.cache` on purpose, e.g. with models, so its layer keeps them).
///
/// Whiteouts (character devices 0/0) are never removed, and nothing is followed through a
/// symbolic link: a build may have replaced any directory with a link to anywhere.
enum BuildLeftovers {
    /// Caches of the package managers, relative to the root.
    static let packageCaches = ["root/.cache", "root/.npm"]
    /// apt's binary caches, relative to the root.
    static let aptBinaryCaches = ["var/cache/apt/pkgcache.bin", "var/cache/apt/srcpkgcache.bin"]

    /// The parts of each bind-mount `destination` missing from the root filesystem at `rootfs`
    /// (so runc will create them), relative, deepest first (then by name).
    static func mountPointStubs(for destinations: [String], in rootfs: String) -> [String] {
        var stubs: [String] = []
        for destination in destinations {
            let components = destination.split(separator: "/").map(String.init)
            var prefix = ""
            var missing = false
            for component in components {
                prefix = prefix.isEmpty ? component : "\(prefix)/\(component)"
                if !missing {
                    var st = stat()
                    missing = lstat("\(rootfs)/\(prefix)", &st) != 0 && errno == ENOENT
                }
                if missing, !stubs.contains(prefix) { stubs.append(prefix) }
            }
        }
        func depth(_ path: String) -> Int { path.split(separator: "/").count }
        return stubs.sorted { (depth($1), $0) < (depth($0), $1) }
    }

    /// Removes the leftovers of a `kind` build from `upper`.
    static func remove(from upper: String, kind: LayerKind, stubs: [String]) throws(PaddockError) {
        for stub in stubs { try removeStub(upper, stub) }
        if isRealDirectory(upper, "tmp") {
            for name in ImageFiles.names(in: "\(upper)/tmp") where !isWhiteout("\(upper)/tmp/\(name)") {
                try DirectoryTree.remove("\(upper)/tmp/\(name)")
            }
        }
        var doomed = aptBinaryCaches
        if kind != .setup { doomed += packageCaches }
        for relative in doomed where hasRealParents(upper, relative) && !isWhiteout("\(upper)/\(relative)") {
            try DirectoryTree.remove("\(upper)/\(relative)")
        }
    }

    /// Removes `relative` if it is an empty regular file or an empty directory.
    private static func removeStub(_ upper: String, _ relative: String) throws(PaddockError) {
        guard hasRealParents(upper, relative) else { return }
        let path = "\(upper)/\(relative)"
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        switch st.st_mode & S_IFMT {
        case S_IFREG where st.st_size == 0:
            guard unlink(path) == 0 || errno == ENOENT else { throw failure(path) }
        case S_IFDIR:
            guard rmdir(path) == 0 || errno == ENOENT || errno == ENOTEMPTY || errno == EEXIST else { throw failure(path) }
        default:
            return
        }
    }

    /// Whether every directory above `relative` (below `root`) is a directory, not a link.
    private static func hasRealParents(_ root: String, _ relative: String) -> Bool {
        let components = relative.split(separator: "/").dropLast()
        var prefix = ""
        for component in components {
            prefix = prefix.isEmpty ? String(component) : "\(prefix)/\(component)"
            guard isRealDirectory(root, prefix) else { return false }
        }
        return true
    }

    /// Whether `relative` and every directory above it are directories, not links.
    private static func isRealDirectory(_ root: String, _ relative: String) -> Bool {
        hasRealParents(root, relative) && ImageFiles.isDirectory("\(root)/\(relative)")
    }

    /// An overlayfs whiteout: a character device with device number 0/0.
    static func isWhiteout(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR && st.st_rdev == 0
    }

    private static func failure(_ path: String) -> PaddockError {
        PaddockError(.internal, "cannot remove build leftover \(path): \(String(cString: strerror(errno)))")
    }
}
