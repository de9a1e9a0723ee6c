import Foundation
import PaddockTestSupport
import Glibc
import PaddockAgentProtocol

/// A real `paddock-init` started for one test, listening in its own temporary directory.
final class AgentUnderTest {
    /// The temporary directory holding the socket, the agent's log and test files.
    let directory: String
    /// The agent's socket.
    let socketPath: String
    private let process: Process
    private let asInit: Bool

    /// The PATH given to every command the tests run.
    static let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The built `paddock-init`, next to the test bundle (or one directory up).
    static let binary = BuiltProducts.path(of: "paddock-init")

    /// Starts the agent as an ordinary child, or as PID 1 of a new PID namespace
    /// (`unshare --pid --fork --mount-proc`, root only).
    init(asInitOfNewPIDNamespace: Bool = false) throws {
        guard let binary = Self.binary else { throw HarnessError("paddock-init not found next to the tests") }
        var template = Array("/tmp/paddock-agent-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
        directory = String(cString: made)
        socketPath = directory + "/run/agent.sock"
        process = Process()
        asInit = asInitOfNewPIDNamespace
        if asInitOfNewPIDNamespace {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
            process.arguments = ["--pid", "--fork", "--mount-proc", "--kill-child=SIGTERM", binary,
                                 "--socket", socketPath]
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["--socket", socketPath]
        }
        try writeFile(directory + "/agent.log", [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: directory + "/agent.log")
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Wait until the socket accepts connections (the agent creates its directory).
        for _ in 0..<1000 {
            if (try? AgentConnection(socketPath: socketPath)) != nil { return }
            guard process.isRunning else { break }
            usleep(10_000)
        }
        stop()
        throw HarnessError("paddock-init did not start listening on \(socketPath)")
    }

    deinit { stop() }

    /// Stops the agent with SIGTERM and removes its directory. Under `unshare` the signal
    /// goes to the agent itself: `unshare --fork` blocks SIGTERM and waits for its child.
    func stop() {
        if process.isRunning {
            let pid = process.processIdentifier
            let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
            if asInit, let child = children.split(separator: " ").first.flatMap({ Int32($0) }) {
                kill(child, SIGTERM)
            } else {
                process.terminate()
            }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A new connection to the agent.
    func connect() throws -> AgentConnection {
        try AgentConnection(socketPath: socketPath)
    }

    /// Runs one command to its end with the test PATH (plus `env`) and returns the result.
    func run(_ argv: [String], cwd: String? = nil, env: [(name: String, value: String)] = [],
             user: String? = nil, stdin: [UInt8]? = nil, timeoutMs: Int? = nil,
             maxOutputBytes: Int = 64 << 20) throws -> AgentExecResult {
        let request = try ExecRequest(argv: argv, cwd: cwd, env: [("PATH", Self.path)] + env, user: user,
                                      stdinFollows: stdin != nil, timeoutMs: timeoutMs,
                                      maxStdoutBytes: maxOutputBytes, maxStderrBytes: maxOutputBytes)
        return try connect().run(request, stdin: stdin ?? [], receiveTimeoutMs: 120_000)
    }

    /// Sends a hand-made exec payload (which `ExecRequest` would refuse to build) and
    /// returns the agent's answer frames.
    func sendRawExec(json: String) throws -> [AgentFrame] {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket failed") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socketPath.utf8)) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw HarnessError("connect failed") }
        let payload = Array(json.utf8)
        let length = UInt32(payload.count + 1)
        let exec = [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff),
                    UInt8(length & 0xff), FrameType.exec.rawValue] + payload
        let bytes = AgentFrame.hello(version: AgentProtocol.version).encoded() + exec
        guard Glibc.send(fd, bytes, bytes.count, 0) == bytes.count else { throw HarnessError("send failed") }
        var decoder = AgentFrameDecoder()
        var frames: [AgentFrame] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { break }
            decoder.append(Array(chunk[0..<count]))
            while let frame = try decoder.next() { frames.append(frame) }
        }
        return frames
    }
}

/// A failure of the test harness itself.
struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `count` bytes from /dev/urandom.
func randomBytes(_ count: Int) -> [UInt8] {
    let handle = FileHandle(forReadingAtPath: "/dev/urandom")!
    defer { try? handle.close() }
    var bytes: [UInt8] = []
    while bytes.count < count {
        bytes += handle.readData(ofLength: count - bytes.count)
    }
    return bytes
}

/// Writes `bytes` to a new file at `path` with permissions `mode`.
func writeFile(_ path: String, _ bytes: [UInt8], mode: Int = 0o644) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
}

/// The UTF-8 text of some output bytes.
func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}

/// True while any process of the process group `group` exists (zombies included).
func processGroupExists(_ group: Int32) -> Bool {
    kill(-group, 0) == 0 || errno != ESRCH
}

/// True when running as root (PID namespaces and user switching need it).
let runningAsRoot = getuid() == 0
