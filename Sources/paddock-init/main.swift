// paddock-init: PID 1 of every session, and the agent that runs exec requests.
//
//     paddock-init [--socket PATH]      (default /run/paddock/agent.sock)
//     paddock-init --write-file PATH --mode OCTAL   (stdin to PATH; the files API's writer)
//
// As PID 1 it reaps every orphan and, on SIGTERM or SIGINT, forwards the signal to every
// process, waits up to three seconds and exits. As an ordinary process (tests) it still
// reaps its children (it makes itself a child subreaper, so orphans of its commands come
// back to it) and forwards the signal to the process groups of running execs.
// The wire format is `PaddockAgentProtocol`; one thread serves each connection.
import Glibc
import PaddockAgentProtocol

/// The command line of paddock-init.
struct AgentOptions {
    /// Where to listen.
    var socketPath = "/run/paddock/agent.sock"

    static let usage = """
        usage: paddock-init [--socket PATH]

        Runs commands for the Paddock server, which connects to the unix socket PATH
        (default /run/paddock/agent.sock; its directory is created if missing).
        """

    /// Parses the arguments after the program name; prints help or an error and exits.
    static func parse(_ arguments: [String]) -> AgentOptions {
        var options = AgentOptions()
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--socket":
                guard let value = rest.popFirst(), !value.isEmpty else { fail("--socket needs a path") }
                options.socketPath = value
            case _ where argument.hasPrefix("--socket="):
                options.socketPath = String(argument.dropFirst("--socket=".count))
            case "-h", "--help":
                print(usage)
                exit(0)
            case "--version":
                print("paddock-init (agent protocol \(AgentProtocol.version))")
                exit(0)
            default:
                fail("unknown argument \(argument); see --help")
            }
        }
        return options
    }

    private static func fail(_ message: String) -> Never {
        log(message)
        exit(2)
    }
}

/// Creates the socket's directory if missing, replaces a stale socket, binds with mode 0600
/// and listens.
func openListener(at path: String) throws(SystemError) -> Int32 {
    var directory = ""
    for part in path.split(separator: "/").dropLast() {
        directory += "/\(part)"
        if mkdir(directory, 0o700) != 0 && errno != EEXIST { throw SystemError("mkdir \(directory)") }
    }
    var info = stat()
    if lstat(path, &info) == 0 {
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw SystemError("\(path) exists and is not a socket", EEXIST) }
        unlink(path)
    }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
        throw SystemError("socket path \(path)", ENAMETOOLONG)
    }
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw SystemError("socket") }
    let previousMask = umask(0o177)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    let bindErrno = errno
    umask(previousMask)
    guard bound == 0 else { close(fd); throw SystemError("bind \(path)", bindErrno) }
    chmod(path, 0o600)
    guard listen(fd, 128) == 0 else { close(fd); throw SystemError("listen \(path)") }
    return fd
}

/// Makes sure descriptors 0–2 are open, so no pipe of ours is ever one of them.
func occupyStandardDescriptors() {
    for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) < 0 {
        let null = open("/dev/null", O_RDWR)
        if null >= 0 && null != fd { dup2(null, fd); close(null) }
    }
}

func runAgent() -> Never {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == "--write-file" {
        guard arguments.count == 4, arguments[2] == "--mode", let mode = mode_t(arguments[3], radix: 8), mode <= 0o777 else {
            log("usage: paddock-init --write-file PATH --mode OCTAL")
            exit(2)
        }
        FileWriter.run(path: arguments[1], mode: mode)
    }
    let options = AgentOptions.parse(arguments)
    occupyStandardDescriptors()
    let isInit = getpid() == 1
    if !isInit && !becomeSubreaper() { log("cannot become a child subreaper; orphans go to the real init") }
    // Signals are taken by the reaper thread with sigwait; every thread blocks them. The
    // no-op handlers keep PID 1 from dropping them (their default action is ignored there).
    signal(SIGPIPE, SIG_IGN)
    for number in [SIGCHLD, SIGTERM, SIGINT] { signal(number) { _ in } }
    var blocked = agentSignalSet()
    pthread_sigmask(SIG_BLOCK, &blocked, nil)

    let table = ChildTable()
    let listener: Int32
    do {
        listener = try openListener(at: options.socketPath)
    } catch {
        log(error.message)
        exit(1)
    }
    let socketPath = options.socketPath
    do {
        try startThread { runSignalLoop(table: table, isInit: isInit, socketPath: socketPath) }
    } catch {
        log(error.message)
        exit(1)
    }
    log("listening on \(socketPath) (protocol \(AgentProtocol.version)\(isInit ? ", pid 1" : ""))")
    while true {
        let connection = acceptConnection(listener)
        if connection < 0 {
            if errno == EMFILE || errno == ENFILE || errno == ENOMEM { usleep(10_000) }
            continue
        }
        do {
            try startThread { ExecSession(socket: connection, table: table).serve() }
        } catch {
            log("cannot serve a connection: \(error.message)")
            close(connection)
        }
    }
}

runAgent()
