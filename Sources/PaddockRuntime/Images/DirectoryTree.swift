import PaddockCore
#if canImport(Glibc)
import Glibc
#endif

/// Whole-tree operations on image and layer directories that never follow symlinks and never
/// cross into another filesystem (a mount left inside a root filesystem, e.g. a `/dev` or
/// `/proc`, must not be emptied). Works relative to directory descriptors (`openat`,
/// `fstatat`, `unlinkat`), so a symlink swapped in mid-walk cannot redirect it.
enum DirectoryTree {
    /// Disk usage of the tree in bytes (allocated blocks; hard-linked files counted once).
    /// Returns 0 for a missing path.
    static func allocatedBytes(at path: String) -> Int64 {
        var st = stat()
        guard lstat(path, &st) == 0 else { return 0 }
        var total = Int64(st.st_blocks) * 512
        guard (st.st_mode & S_IFMT) == S_IFDIR else { return total }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return total }
        defer { close(fd) }
        var seen = Set<[UInt64]>()
        total += usage(of: fd, device: st.st_dev, seen: &seen)
        return total
    }

    private static func usage(of directory: Int32, device: dev_t, seen: inout Set<[UInt64]>) -> Int64 {
        var total: Int64 = 0
        for name in entries(of: directory) {
            var st = stat()
            guard fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_dev == device else { continue }
            let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
            if st.st_nlink > 1, !isDirectory, !seen.insert([UInt64(st.st_dev), UInt64(st.st_ino)]).inserted { continue }
            total += Int64(st.st_blocks) * 512
            if isDirectory {
                let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { continue }
                total += usage(of: child, device: device, seen: &seen)
                close(child)
            }
        }
        return total
    }

    /// Removes the tree at `path` (a missing path is not an error). Refuses to descend into a
    /// directory on another filesystem: such a mount point is left, and the error names it.
    static func remove(_ path: String) throws(PaddockError) {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return }
            throw failure("cannot inspect", path, errno)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw failure("cannot open", path, errno) }
            defer { close(fd) }
            try removeContents(of: fd, path: path, device: st.st_dev)
            guard rmdir(path) == 0 || errno == ENOENT else { throw failure("cannot remove", path, errno) }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw failure("cannot remove", path, errno) }
        }
    }

    private static func removeContents(of directory: Int32, path: String, device: dev_t) throws(PaddockError) {
        for name in entries(of: directory) {
            let entryPath = "\(path)/\(name)"
            var st = stat()
            guard fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
                if errno == ENOENT { continue }
                throw failure("cannot inspect", entryPath, errno)
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                guard st.st_dev == device else {
                    throw PaddockError(.internal, "cannot remove \(entryPath): another filesystem is mounted there; unmount it first")
                }
                let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { throw failure("cannot open", entryPath, errno) }
                defer { close(child) }
                try removeContents(of: child, path: entryPath, device: device)
                guard unlinkat(directory, name, AT_REMOVEDIR) == 0 || errno == ENOENT else {
                    throw failure("cannot remove", entryPath, errno)
                }
            } else {
                guard unlinkat(directory, name, 0) == 0 || errno == ENOENT else {
                    throw failure("cannot remove", entryPath, errno)
                }
            }
        }
    }

    /// The names in the open directory `directory`, without `.` and `..`.
    private static func entries(of directory: Int32) -> [String] {
        let copy = dup(directory)
        guard copy >= 0 else { return [] }
        guard let stream = fdopendir(copy) else {
            close(copy)
            return []
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private static func failure(_ what: String, _ path: String, _ code: Int32) -> PaddockError {
        PaddockError(.internal, "\(what) \(path): \(String(cString: strerror(code)))")
    }
}
