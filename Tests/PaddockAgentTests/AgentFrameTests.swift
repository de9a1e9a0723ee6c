import PaddockAgentProtocol
import Testing

@Suite("agent wire format")
struct AgentFrameTests {
    static let frames: [AgentFrame] = [
        .hello(version: AgentProtocol.version),
        .exec(try! ExecRequest(argv: ["printf", "%s\n", "a \"quoted\" \\ arg", "tab\there", "new\nline", "\u{1}ctl", "é😀"],
                               cwd: "/work space", env: [("PATH", "/bin"), ("EMPTY", ""), ("X", "a=b")],
                               user: "1000:1000", stdinFollows: true, timeoutMs: 1500,
                               maxStdoutBytes: 10, maxStderrBytes: 0)),
        .exec(try! ExecRequest(argv: ["true"])),
        .stdin([0, 1, 2, 255]),
        .stdinEnd,
        .signal(15),
        .started(pid: 4242),
        .stdout(Array("hello\n".utf8)),
        .stderr([]),
        .exit(ExecExit(exitCode: 3, durationMs: 12)),
        .exit(ExecExit(exitCode: nil, signal: 9, timedOut: true, stdoutTruncated: true, stderrTruncated: false,
                       oomKilled: true, durationMs: 500)),
        .error(AgentError(.invalidArgument, "cwd must be an absolute path")),
    ]

    @Test("every frame survives encoding and decoding", arguments: frames)
    func roundTrip(frame: AgentFrame) throws {
        var decoder = AgentFrameDecoder()
        decoder.append(frame.encoded())
        #expect(try decoder.next() == frame)
        #expect(try decoder.next() == nil)
        #expect(decoder.isEmpty)
    }

    @Test("a stream fed one byte at a time yields the same frames")
    func byteAtATime() throws {
        let stream = Self.frames.flatMap { $0.encoded() }
        var decoder = AgentFrameDecoder()
        var decoded: [AgentFrame] = []
        for byte in stream {
            decoder.append([byte])
            while let frame = try decoder.next() { decoded.append(frame) }
        }
        #expect(decoded == Self.frames)
    }

    @Test("the length prefix is big-endian and counts the type byte")
    func layout() {
        #expect(AgentFrame.stdout([7, 8]).encoded() == [0, 0, 0, 3, 0x82, 7, 8])
        #expect(AgentFrame.stdinEnd.encoded() == [0, 0, 0, 1, 0x04])
    }

    @Test("hand-written json with escapes and surrogate pairs decodes")
    func escapes() throws {
        let json = #"{"argv": ["\u00e9\ud83d\ude00", "a\/b\"\\\n"], "unknown": {"x": [1, -2, null]}, "stdin": true}"#
        let payload = Array(json.utf8)
        let frame = try AgentFrame.decode(typeByte: FrameType.exec.rawValue, payload: payload[...])
        #expect(frame == .exec(try ExecRequest(argv: ["é😀", "a/b\"\\\n"], stdinFollows: true)))
    }

    /// A frame with this type byte and this payload text, length computed.
    static func raw(_ type: UInt8, _ payload: String) -> [UInt8] {
        let bytes = Array(payload.utf8)
        let length = UInt32(bytes.count + 1)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type]
            + bytes
    }

    @Test("malformed frames are protocol violations",
          arguments: [
              [0, 0, 0, 0, 1],
              [0xff, 0, 0, 0, 1],
              raw(0x42, ""),
              raw(0x01, "{}"),
              raw(0x01, #"{"version":"1"}"#),
              raw(0x81, #"{"pid":0}"#),
              raw(0x84, #"{"exit_code":0,"duration_ms":1.5}"#),
              raw(0x84, #"{"exit_code":0} x"#),
              raw(0x84, #"{"exit_code":0"#),
              raw(0x85, #"{"code":"internal"}"#),
          ] as [[UInt8]])
    func malformed(bytes: [UInt8]) {
        var decoder = AgentFrameDecoder()
        decoder.append(bytes)
        #expect {
            _ = try decoder.next()
        } throws: { ($0 as? AgentError)?.code == .protocolViolation }
    }

    @Test("an exit frame needs exactly one of exit_code and signal")
    func exitNeedsOneStatus() {
        for json in [#"{"exit_code":null,"signal":null}"#, #"{"exit_code":0,"signal":9}"#] {
            #expect(throws: AgentError.self) {
                _ = try AgentFrame.decode(typeByte: FrameType.exit.rawValue, payload: Array(json.utf8)[...])
            }
        }
    }

    @Test("invalid requests cannot be built",
          arguments: [
              ("relative", "cwd must be an absolute path"),
              ("", "cwd must be an absolute path"),
              ("/proc/self/fd/7", "cwd must not be under /proc/<pid>/fd: /proc/self/fd/7"),
              ("/proc/1/fd", "cwd must not be under /proc/<pid>/fd: /proc/1/fd"),
              ("/proc/thread-self/fd/", "cwd must not be under /proc/<pid>/fd: /proc/thread-self/fd/"),
              ("//proc/./self/task/12/fd/3", "cwd must not be under /proc/<pid>/fd: //proc/./self/task/12/fd/3"),
              ("/tmp/../proc/self/fd/3", "cwd must not be under /proc/<pid>/fd: /tmp/../proc/self/fd/3"),
          ])
    func refusedCwd(cwd: String, message: String) {
        #expect(throws: AgentError(.invalidArgument, message)) {
            _ = try ExecRequest(argv: ["pwd"], cwd: cwd)
        }
    }

    @Test("paths near /proc/<pid>/fd that are not under it are accepted",
          arguments: ["/proc/self", "/proc/self/fdinfo", "/proc/cpuinfo", "/procfs/self/fd", "/tmp/proc/self/fd"])
    func acceptedCwd(cwd: String) {
        #expect(ExecRequest.cwdProblem(cwd) == nil)
    }

    @Test("other invalid requests are refused")
    func otherInvalidRequests() {
        #expect(throws: AgentError.self) { _ = try ExecRequest(argv: []) }
        #expect(throws: AgentError.self) { _ = try ExecRequest(argv: [""]) }
        #expect(throws: AgentError.self) { _ = try ExecRequest(argv: ["a\u{0}b"]) }
        #expect(throws: AgentError.self) { _ = try ExecRequest(argv: ["env"], env: [("A=B", "c")]) }
        #expect(throws: AgentError.self) { _ = try ExecRequest(argv: ["true"], timeoutMs: 0) }
        #expect(throws: AgentError.self) { _ = try ExecRequest(argv: ["true"], maxStdoutBytes: -1) }
        #expect(throws: AgentError.self) { _ = try ExecRequest(argv: ["true"], user: "") }
    }

    @Test("the collector keeps at most its cap and says so")
    func collectorCap() {
        var result = AgentExecResult(maxStdoutBytes: 4)
        result.collect(.started(pid: 9))
        result.collect(.stdout([1, 2, 3]))
        result.collect(.stdout([4, 5]))
        result.collect(.stderr([6]))
        result.collect(.exit(ExecExit(exitCode: 0)))
        #expect(result.pid == 9)
        #expect(result.stdout == [1, 2, 3, 4])
        #expect(result.stdoutTruncated)
        #expect(result.stderr == [6])
        #expect(!result.stderrTruncated)
        #expect(result.isComplete)
    }

    @Test("a signal death reads as 128 + n to a shell")
    func shellStatus() {
        #expect(ExecExit(exitCode: nil, signal: 9).shellStatus == 137)
        #expect(ExecExit(exitCode: 3).shellStatus == 3)
    }
}
