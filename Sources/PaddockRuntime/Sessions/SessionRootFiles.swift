import CPaddockSys
import Glibc
import PaddockCore

/// Reads, writes and lists files of one session through the host view of its root filesystem
/// (the mounted overlay), with every path resolved by `openat2(RESOLVE_IN_ROOT)` relative to
/// a descriptor of that root: `..` and absolute symlinks planted by the session stay inside
/// it, procfs magic links and other mounts are refused, so no path can reach a host file.
///
/// Blocking: call it through ``BlockingWork``.
struct SessionRootFiles: Sendable {
    /// The host path of the session's root filesystem.
    let root: String
    /// For messages.
    let sessionID: String

    /// `RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV`.
    static let resolution = UInt64(PADDOCK_RESOLVE_IN_ROOT) | UInt64(PADDOCK_RESOLVE_NO_MAGICLINKS)
        | UInt64(PADDOCK_RESOLVE_NO_XDEV)
    /// Prefix of the temporary file a write goes to before it is renamed into place.
    static let temporaryPrefix = ".paddock-write-"
    /// Read size.
    private static let chunkSize = 1 << 20

    /// The contents of the regular file at `path` (symlinks followed inside the session);
    /// `tooLarge` beyond `limit` bytes, `invalidArgument` for anything but a regular file.
    func read(_ path: SessionPath, limit: Int) throws(PaddockError) -> [UInt8] {
        let rootFD = try openRoot()
        defer { close(rootFD) }
        // O_PATH first: inspecting a FIFO or a device through it has no side effect; the
        // regular file is then reopened through the same descriptor, so it cannot be swapped.
        let handle = try resolve(path.value, from: rootFD, flags: paddock_o_path)
        defer { close(handle) }
        var info = stat()
        guard fstat(handle, &info) == 0 else { throw failure(errno, path.value) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .invalid("path", "\(path.value) is a directory; list it instead of reading it")
        default: throw .invalid("path", "\(path.value) is not a regular file")
        }
        guard info.st_size <= limit else { throw tooLarge(path.value, limit: limit) }
        let fd = open("/proc/self/fd/\(handle)", O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { throw failure(errno, path.value) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: limit < Self.chunkSize ? limit + 1 : Self.chunkSize)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(errno, path.value)
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            if bytes.count > limit { throw tooLarge(path.value, limit: limit) }
        }
    }

    /// Writes `contents` to `path` with permission bits `mode`, creating missing parent
    /// directories (0755). The bytes go to a temporary file beside the target, which is then
    /// renamed over it: readers see the old file or the whole new one, and a failed write
    /// leaves nothing. The last component is replaced, never followed, when it is a symlink.
    func write(_ path: SessionPath, contents: [UInt8], mode: UInt32) throws(PaddockError) {
        guard let name = path.components.last else {
            throw .invalid("path", "/ is a directory; give the path of a file")
        }
        let rootFD = try openRoot()
        defer { close(rootFD) }
        let parent = try openDirectory(Array(path.components.dropLast()), from: rootFD, create: true)
        defer { close(parent) }
        let temporary = Self.temporaryPrefix + ImageFiles.token()
        let fd = openat(parent, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure(errno, path.value) }
        var problem: Int32 = 0
        var offset = 0
        while offset < contents.count, problem == 0 {
            let written = contents[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { problem = written == 0 ? EIO : errno }
        }
        if problem == 0 && fchmod(fd, mode_t(mode)) != 0 { problem = errno }
        if close(fd) != 0 && problem == 0 { problem = errno }
        if problem == 0 && renameat(parent, temporary, parent, name) != 0 { problem = errno }
        if problem != 0 {
            unlinkat(parent, temporary, 0)
            throw failure(problem, path.value)
        }
    }

    /// Makes the directory `path` and its missing parents (0755); an existing one is fine.
    func makeDirectory(_ path: SessionPath) throws(PaddockError) {
        let rootFD = try openRoot()
        defer { close(rootFD) }
        close(try openDirectory(path.components, from: rootFD, create: true))
    }

    /// The entries of the directory at `path`, sorted by name (bytewise); symlinks are listed
    /// as such, not followed.
    func list(_ path: SessionPath) throws(PaddockError) -> [SessionFileEntry] {
        let rootFD = try openRoot()
        defer { close(rootFD) }
        let fd = try resolve(path.value, from: rootFD, flags: O_RDONLY | O_DIRECTORY)
        guard let stream = fdopendir(fd) else {
            let code = errno
            close(fd)
            throw failure(code, path.value)
        }
        defer { closedir(stream) }
        var entries: [SessionFileEntry] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            var info = stat()
            guard fstatat(dirfd(stream), name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            let kind: SessionFileEntry.Kind = switch info.st_mode & S_IFMT {
            case S_IFREG: .file
            case S_IFDIR: .directory
            case S_IFLNK: .symlink
            default: .other
            }
            entries.append(SessionFileEntry(name: name, kind: kind, size: kind == .file ? Int64(info.st_size) : 0,
                                            mode: UInt32(info.st_mode) & 0o7777))
        }
        return entries.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    // MARK: - Resolution

    /// An `paddock_o_path` descriptor of the root; it must be a directory (not a symlink).
    private func openRoot() throws(PaddockError) -> Int32 {
        let fd = open(root, paddock_o_path | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            throw PaddockError(.internal, "cannot open the root filesystem of session \(sessionID): \(String(cString: strerror(errno)))")
        }
        return fd
    }

    /// `openat2(rootFD, path, flags, RESOLVE_IN_ROOT | …)`, retried when a concurrent rename
    /// made the kernel ask for it (EAGAIN).
    private func resolve(_ path: String, from rootFD: Int32, flags: Int32, mode: UInt64 = 0) throws(PaddockError) -> Int32 {
        let fd = try open2(path, from: rootFD, flags: flags, mode: mode)
        guard fd >= 0 else { throw failure(-fd, path) }
        return fd
    }

    /// Like ``resolve(_:from:flags:mode:)`` but returns `-errno` instead of throwing.
    private func open2(_ path: String, from rootFD: Int32, flags: Int32, mode: UInt64 = 0) throws(PaddockError) -> Int32 {
        for _ in 0..<64 {
            let fd = paddock_openat2(rootFD, path, UInt64(UInt32(bitPattern: flags | O_CLOEXEC)), mode, Self.resolution)
            if fd >= 0 { return fd }
            if errno == EAGAIN || errno == EINTR { continue }
            if errno == ENOSYS { throw PaddockError(.internal, "this kernel has no openat2(2) (Linux 5.6 or later is needed)") }
            return -errno
        }
        return -EAGAIN
    }

    /// An `paddock_o_path` descriptor of the directory `components` below the root, each component
    /// resolved inside the root again after creating it (with `create`) when missing.
    private func openDirectory(_ components: [String], from rootFD: Int32, create: Bool) throws(PaddockError) -> Int32 {
        var current = try resolve("/", from: rootFD, flags: paddock_o_path | O_DIRECTORY)
        var prefix = ""
        for component in components {
            prefix += "/" + component
            var next = try open2(prefix, from: rootFD, flags: paddock_o_path | O_DIRECTORY)
            if next == -ENOENT && create {
                // One plain name relative to the resolved parent: mkdirat follows no symlink.
                if mkdirat(current, component, 0o755) != 0 && errno != EEXIST {
                    let code = errno
                    close(current)
                    throw failure(code, prefix)
                }
                next = try open2(prefix, from: rootFD, flags: paddock_o_path | O_DIRECTORY)
            }
            close(current)
            guard next >= 0 else { throw failure(-next, prefix) }
            current = next
        }
        return current
    }

    // MARK: - Errors

    private func tooLarge(_ path: String, limit: Int) -> PaddockError {
        PaddockError(.tooLarge, "\(path) in session \(sessionID) is larger than \(limit) bytes", param: "path")
    }

    /// The error for `code` met while working on `path`.
    func failure(_ code: Int32, _ path: String) -> PaddockError {
        Self.failure(code, path, sessionID: sessionID)
    }

    /// The API's error for `errno` `code` met at `path` of session `sessionID`.
    static func failure(_ code: Int32, _ path: String, sessionID: String) -> PaddockError {
        switch code {
        case ENOENT:
            return PaddockError(.notFound, "\(path) does not exist in session \(sessionID)", param: "path")
        case ENOTDIR: return .invalid("path", "a component of \(path) is not a directory")
        case ELOOP: return .invalid("path", "\(path) leads through too many symbolic links")
        case EXDEV: return .invalid("path", "\(path) resolves across a mount point or through /proc, which file access does not follow")
        case EISDIR: return .invalid("path", "\(path) is a directory")
        case ENAMETOOLONG: return .invalid("path", "\(path) is too long")
        case EROFS: return .invalid("path", "\(path) is on a read-only part of the session")
        case EBUSY: return .invalid("path", "\(path) is a mount point inside the session, not a file that can be replaced")
        case EACCES, EPERM: return PaddockError(.permissionDenied, "\(path) cannot be written in session \(sessionID)", param: "path")
        case ENOSPC, EDQUOT:
            return PaddockError(.tooLarge, "the disk of session \(sessionID) is full (writing \(path)); remove files or use a larger disk_mb",
                                param: "path")
        default:
            return PaddockError(.internal, "cannot access \(path) in session \(sessionID): \(String(cString: strerror(code)))")
        }
    }
}
