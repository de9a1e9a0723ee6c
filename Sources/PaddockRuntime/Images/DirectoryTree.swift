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

    /// Sums the blocks below `directory` walking with an explicit stack (a tree of any depth —
    /// a session or setup script can make one thousands of levels deep — never exhausts the
    /// thread's stack). Directories that cannot be opened (e.g. out of descriptors) are skipped.
    private static func usage(of directory: Int32, device: dev_t, seen: inout Set<[UInt64]>) -> Int64 {
        var total: Int64 = 0
        var stack = [WalkFrame(fd: directory, path: "", nameInParent: "", names: entries(of: directory))]
        defer { for frame in stack.dropFirst() { close(frame.fd) } }
        while let index = stack.indices.last {
            guard stack[index].next < stack[index].names.count else {
                if index > 0 { close(stack[index].fd) }
                stack.removeLast()
                continue
            }
            let name = stack[index].names[stack[index].next]
            stack[index].next += 1
            var st = stat()
            guard fstatat(stack[index].fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_dev == device else { continue }
            let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
            if st.st_nlink > 1, !isDirectory, !seen.insert([UInt64(st.st_dev), UInt64(st.st_ino)]).inserted { continue }
            total += Int64(st.st_blocks) * 512
            if isDirectory {
                let child = openat(stack[index].fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { continue }
                stack.append(WalkFrame(fd: child, path: "", nameInParent: name, names: entries(of: child)))
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

    /// How deep the removal descends before it moves a subtree up to the top directory (with
    /// `renameat`, on the same filesystem) to be removed from there: the walk holds one
    /// descriptor per level, so its depth stays bounded however deep the tree is.
    static let maxRemovalDepth = 64

    /// Empties `directory` (not removing it) with an explicit stack, so that no depth of tree
    /// can overflow the thread's stack or run out of descriptors.
    private static func removeContents(of directory: Int32, path: String, device: dev_t) throws(PaddockError) {
        var stack = [WalkFrame(fd: directory, path: path, nameInParent: "", names: entries(of: directory))]
        defer { for frame in stack.dropFirst() { close(frame.fd) } }
        var moved = 0
        while let index = stack.indices.last {
            guard stack[index].next < stack[index].names.count else {
                let done = stack.removeLast()
                if index > 0 {
                    close(done.fd)
                    guard unlinkat(stack[index - 1].fd, done.nameInParent, AT_REMOVEDIR) == 0 || errno == ENOENT else {
                        throw failure("cannot remove", done.path, errno)
                    }
                }
                continue
            }
            let name = stack[index].names[stack[index].next]
            stack[index].next += 1
            let entryPath = "\(stack[index].path)/\(name)"
            var st = stat()
            guard fstatat(stack[index].fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
                if errno == ENOENT { continue }
                throw failure("cannot inspect", entryPath, errno)
            }
            guard (st.st_mode & S_IFMT) == S_IFDIR else {
                guard unlinkat(stack[index].fd, name, 0) == 0 || errno == ENOENT else {
                    throw failure("cannot remove", entryPath, errno)
                }
                continue
            }
            guard st.st_dev == device else {
                throw PaddockError(.internal, "cannot remove \(entryPath): another filesystem is mounted there; unmount it first")
            }
            if stack.count >= maxRemovalDepth {
                // Too deep: move the subtree to the top directory and remove it from there later.
                moved += 1
                let newName = ".paddock-deep-\(moved)-\(ImageFiles.token())"
                guard renameat(stack[index].fd, name, stack[0].fd, newName) == 0 else {
                    throw failure("cannot move up", entryPath, errno)
                }
                stack[0].names.append(newName)
                continue
            }
            let child = openat(stack[index].fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard child >= 0 else { throw failure("cannot open", entryPath, errno) }
            stack.append(WalkFrame(fd: child, path: entryPath, nameInParent: name, names: entries(of: child)))
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

    /// One open directory of a walk: its descriptor, its names and how far the walk got.
    private struct WalkFrame {
        let fd: Int32
        let path: String
        let nameInParent: String
        var names: [String]
        var next = 0
    }

    private static func failure(_ what: String, _ path: String, _ code: Int32) -> PaddockError {
        PaddockError(.internal, "\(what) \(path): \(String(cString: strerror(code)))")
    }
}
