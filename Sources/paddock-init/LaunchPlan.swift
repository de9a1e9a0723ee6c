import Glibc

/// Everything the forked child needs, prepared before `fork` as C memory, so that the
/// child only makes system calls (no allocation, no locks) until `execve`.
final class LaunchPlan {
    /// The program to `execve`: absolute after a PATH search, else `argv[0]` as given.
    let path: UnsafeMutablePointer<CChar>
    let argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    /// `["/bin/sh", path, argv[1...]]`, for a file without `#!` (`ENOEXEC`), as `execvp` does.
    let shellArgv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    let shell: UnsafeMutablePointer<CChar>
    let envp: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    let cwd: UnsafeMutablePointer<CChar>
    /// Whether to switch to `uid`, `gid` and `groups` (plain values: the child reads no Swift
    /// collection).
    let switchesUser: Bool
    let uid: uid_t
    let gid: gid_t
    let groups: UnsafeMutablePointer<gid_t>
    let groupCount: Int
    /// Room for the `(stage, errno)` report of a failed child.
    let report: UnsafeMutablePointer<Int32>
    private let counts: (argv: Int, shell: Int, env: Int)

    init(path: String, argv: [String], env: [(name: String, value: String)], cwd: String,
         credentials: Credentials?) {
        self.path = strdup(path)
        self.argv = cStringArray(argv)
        let shellArguments = ["/bin/sh", path] + argv.dropFirst()
        self.shellArgv = cStringArray(shellArguments)
        self.shell = strdup("/bin/sh")
        self.envp = cStringArray(env.map { "\($0.name)=\($0.value)" })
        self.cwd = strdup(cwd)
        switchesUser = credentials != nil
        uid = credentials?.uid ?? 0
        gid = credentials?.gid ?? 0
        report = .allocate(capacity: 2)
        let groupList = credentials?.groups ?? []
        groups = .allocate(capacity: max(1, groupList.count))
        for (index, group) in groupList.enumerated() { groups[index] = group }
        groupCount = groupList.count
        counts = (argv.count, shellArguments.count, env.count)
    }

    deinit {
        free(path)
        free(shell)
        free(cwd)
        freeCStringArray(argv, counts.argv)
        freeCStringArray(shellArgv, counts.shell)
        freeCStringArray(envp, counts.env)
        groups.deallocate()
        report.deallocate()
    }
}

/// The user a command runs as.
struct Credentials {
    let uid: uid_t
    let gid: gid_t
    let groups: [gid_t]
}

/// Where the child failed before running the command, reported through the report pipe.
enum ChildFailure: Int32 {
    case setsid = 1, redirect, user, cwd, exec
}

/// The forked child: new session (so a new process group), pipes on 0/1/2, user, cwd, exec.
/// On failure writes `(stage, errno)` to `report` and exits 127. Only system calls here.
func runChild(_ plan: LaunchPlan, stdin: Int32, stdout: Int32, stderr: Int32, report: Int32) -> Never {
    var nothing = sigset_t()
    sigemptyset(&nothing)
    sigprocmask(SIG_SETMASK, &nothing, nil)
    signal(SIGPIPE, SIG_DFL)
    if setsid() < 0 { failChild(plan, report, .setsid) }
    if dup2(stdin, 0) < 0 || dup2(stdout, 1) < 0 || dup2(stderr, 2) < 0 { failChild(plan, report, .redirect) }
    if plan.switchesUser {
        if setgroups(plan.groupCount, plan.groups) != 0 || setgid(plan.gid) != 0 || setuid(plan.uid) != 0 {
            failChild(plan, report, .user)
        }
    }
    if chdir(plan.cwd) != 0 { failChild(plan, report, .cwd) }
    execve(plan.path, plan.argv, plan.envp)
    if errno == ENOEXEC { execve(plan.shell, plan.shellArgv, plan.envp) }
    failChild(plan, report, .exec)
}

private func failChild(_ plan: LaunchPlan, _ report: Int32, _ stage: ChildFailure) -> Never {
    plan.report[0] = stage.rawValue
    plan.report[1] = errno
    _ = write(report, plan.report, 8)
    _exit(127)
}

private func cStringArray(_ strings: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
    let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: strings.count + 1)
    for (index, string) in strings.enumerated() { array[index] = strdup(string) }
    array[strings.count] = nil
    return array
}

private func freeCStringArray(_ array: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, _ count: Int) {
    for index in 0..<count { free(array[index]) }
    array.deallocate()
}

/// The outcome of looking up `argv[0]`, as `execvp` would.
enum ExecutableLookup: Equatable {
    case found(String)
    case notFound
    case notExecutable(String)
}

/// Searches `argv0` in `searchPath` (the command's own PATH) unless it contains a `/`.
/// Relative PATH entries are taken relative to `cwd`, where the command will run.
func lookUpExecutable(_ argv0: String, searchPath: String?, cwd: String) -> ExecutableLookup {
    if argv0.contains("/") { return .found(argv0) }
    let directories = (searchPath ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        .split(separator: ":", omittingEmptySubsequences: false)
    var refused: String?
    for directory in directories {
        let base = directory.isEmpty ? "." : String(directory)
        let candidate = base.hasPrefix("/") ? "\(base)/\(argv0)" : "\(cwd)/\(base)/\(argv0)"
        var info = stat()
        guard stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
        if info.st_mode & 0o111 != 0 { return .found(candidate) }
        refused = refused ?? candidate
    }
    return refused.map { .notExecutable($0) } ?? .notFound
}

/// Resolves `name`, `uid`, `uid:gid` or `name:group` with the container's user database.
/// Without a group, the user's passwd group is used, or 0 for a uid with no passwd entry
/// (as Docker does); supplementary groups come from `/etc/group` when the user has an entry.
func resolveUser(_ spec: String) -> Result<Credentials, UserLookupError> {
    let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
    let userPart = parts[0]
    let entry: (name: String, uid: uid_t, gid: gid_t)?
    let uid: uid_t
    if let number = uid_t(userPart) {
        uid = number
        entry = passwdEntry(uid: number)
    } else {
        guard let found = passwdEntry(name: userPart) else { return .failure(UserLookupError("unknown user: \(userPart)")) }
        uid = found.uid
        entry = found
    }
    var gid = entry?.gid ?? 0
    if parts.count == 2 {
        if let number = gid_t(parts[1]) {
            gid = number
        } else if let number = groupID(name: parts[1]) {
            gid = number
        } else {
            return .failure(UserLookupError("unknown group: \(parts[1])"))
        }
    }
    let groups = entry.map { supplementaryGroups(name: $0.name, gid: gid) } ?? [gid]
    return .success(Credentials(uid: uid, gid: gid, groups: groups))
}

/// A user or group that is not in the container's database.
struct UserLookupError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

private func withEntryBuffer<T>(_ body: (UnsafeMutablePointer<CChar>, Int) -> (Int32, T?)) -> T? {
    var size = 16 << 10
    while size <= 1 << 20 {
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
        defer { buffer.deallocate() }
        let (status, value) = body(buffer, size)
        if status == ERANGE { size *= 4; continue }
        return value
    }
    return nil
}

private func passwdEntry(name: String) -> (name: String, uid: uid_t, gid: gid_t)? {
    withEntryBuffer { buffer, size in
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        let status = getpwnam_r(name, &entry, buffer, size, &result)
        guard status == 0, result != nil else { return (status, nil) }
        return (0, (String(cString: entry.pw_name), entry.pw_uid, entry.pw_gid))
    }
}

private func passwdEntry(uid: uid_t) -> (name: String, uid: uid_t, gid: gid_t)? {
    withEntryBuffer { buffer, size in
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        let status = getpwuid_r(uid, &entry, buffer, size, &result)
        guard status == 0, result != nil else { return (status, nil) }
        return (0, (String(cString: entry.pw_name), entry.pw_uid, entry.pw_gid))
    }
}

private func groupID(name: String) -> gid_t? {
    withEntryBuffer { buffer, size in
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        let status = getgrnam_r(name, &entry, buffer, size, &result)
        guard status == 0, result != nil else { return (status, nil) }
        return (0, entry.gr_gid)
    }
}

private func supplementaryGroups(name: String, gid: gid_t) -> [gid_t] {
    var count: Int32 = 32
    while count <= 65536 {
        var groups = [gid_t](repeating: 0, count: Int(count))
        var found = count
        if getgrouplist(name, gid, &groups, &found) >= 0 { return Array(groups.prefix(Int(found))) }
        count = max(found, count * 2)
    }
    return [gid]
}
