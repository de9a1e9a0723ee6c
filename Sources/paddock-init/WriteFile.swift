import Glibc

/// `paddock-init --write-file PATH --mode OCTAL`: the files API's writer, run as an exec inside
/// the session so that the file's pages are charged to the session (its memory cgroup, its
/// disk), never to the server. Copies stdin to a temporary file next to PATH (making missing
/// parent directories, 0755), gives it the mode and renames it over PATH (a symlink at PATH is
/// replaced, not followed). On failure prints `paddock-init: write-file: errno N: …` on stderr
/// and exits 1; the server turns N into the API's error.
enum FileWriter {
    /// The exit status of a failed write.
    static let failureStatus: Int32 = 1

    /// Writes and exits.
    static func run(path: String, mode: mode_t) -> Never {
        let code = write(path: path, mode: mode)
        if code == 0 { exit(0) }
        log("write-file: errno \(code): \(path): \(String(cString: strerror(code)))")
        exit(failureStatus)
    }

    /// 0, or the errno that stopped the write (nothing is left behind then).
    static func write(path: String, mode: mode_t) -> Int32 {
        guard path.hasPrefix("/"), let slash = path.lastIndex(of: "/"), path.index(after: slash) < path.endIndex else {
            return EINVAL
        }
        let directory = slash == path.startIndex ? "/" : String(path[..<slash])
        let code = makeDirectories(directory)
        guard code == 0 else { return code }
        let temporary = "\(directory == "/" ? "" : directory)/.paddock-write-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return errno }
        var problem = copy(from: 0, to: fd)
        if problem == 0 && fchmod(fd, mode) != 0 { problem = errno }
        if close(fd) != 0 && problem == 0 { problem = errno }
        if problem == 0 && rename(temporary, path) != 0 { problem = errno }
        if problem != 0 { unlink(temporary) }
        return problem
    }

    /// `mkdir -p` with mode 0755; 0 or the errno.
    private static func makeDirectories(_ directory: String) -> Int32 {
        var current = ""
        for part in directory.split(separator: "/") {
            current += "/\(part)"
            if mkdir(current, 0o755) != 0 && errno != EEXIST { return errno }
        }
        var info = stat()
        guard stat(directory, &info) == 0 else { return errno }
        return info.st_mode & S_IFMT == S_IFDIR ? 0 : ENOTDIR
    }

    /// Copies until end of file; 0 or the errno.
    private static func copy(from source: Int32, to destination: Int32) -> Int32 {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(source, &buffer, buffer.count)
            if count < 0 { if errno == EINTR { continue }; return errno }
            if count == 0 { return 0 }
            var offset = 0
            while offset < count {
                let written = buffer[offset..<count].withUnsafeBytes { Glibc.write(destination, $0.baseAddress, $0.count) }
                if written < 0 { if errno == EINTR { continue }; return errno }
                offset += written
            }
        }
    }
}
