// The wire format between the Paddock server and `paddock-init`, over a unix stream socket.
//
// Framing (version 1)
// -------------------
// Every frame is
//
//     +----------------------+-----------+---------------------------+
//     | length: UInt32 (BE)  | type: u8  | payload: length - 1 bytes |
//     +----------------------+-----------+---------------------------+
//
// `length` counts the type byte and the payload, so it is at least 1 and at most
// `AgentProtocol.maxFrameLength`. Header payloads are one JSON object in UTF-8, written and
// read by the tiny codec in `AgentJSON.swift` (objects, arrays, strings, integers, booleans,
// null; no floating point). Unknown keys are ignored, so fields can be added without a
// version bump. Output and stdin payloads are raw bytes.
//
// | type | name      | direction      | payload                                              |
// | ---- | --------- | -------------- | ---------------------------------------------------- |
// | 0x01 | hello     | both           | `{"version":1}`                                      |
// | 0x02 | exec      | server → agent | `{"argv":[…],"cwd":…,"env":[["K","V"],…],"user":…,`  |
// |      |           |                | `"stdin":bool,"timeout_ms":…,"max_stdout":n,`        |
// |      |           |                | `"max_stderr":n}`                                    |
// | 0x03 | stdin     | server → agent | raw bytes                                            |
// | 0x04 | stdinEnd  | server → agent | empty                                                |
// | 0x05 | signal    | server → agent | `{"signal":n}`: sent to the whole process group      |
// | 0x81 | started   | agent → server | `{"pid":n}`: also the process group id               |
// | 0x82 | stdout    | agent → server | raw bytes                                            |
// | 0x83 | stderr    | agent → server | raw bytes                                            |
// | 0x84 | exit      | agent → server | `{"exit_code":n|null,"signal":n|null,"timed_out":b,` |
// |      |           |                | `"stdout_truncated":b,"stderr_truncated":b,`         |
// |      |           |                | `"oom_killed":b,"duration_ms":n}`                    |
// | 0x85 | error     | agent → server | `{"code":"invalid_argument","message":"…"}`          |
//
// Conversation: one exec per connection. The server sends `hello` and `exec` (it may send
// them back to back without waiting); the agent answers `hello`, then either `error` (and
// closes) or `started`, any number of `stdout`/`stderr` chunks, and finally `exit` (and
// closes). While the exec runs the server may send `stdin` chunks, one `stdinEnd` and
// `signal` frames. A command that cannot be found or executed is not an `error`: like a
// shell, the agent answers with a message on stderr and exit code 127 (not found) or 126
// (not executable), without `started`. If the server closes the connection early, the agent
// kills the process group.

/// The version and limits of the server ↔ paddock-init wire format.
public enum AgentProtocol {
    /// Bumped on any incompatible change of the framing.
    public static let version = 1

    /// The largest accepted value of a frame's length field (type byte + payload).
    public static let maxFrameLength = 8 << 20

    /// The size of the output and stdin chunks each side sends.
    public static let chunkSize = 64 << 10

    /// The per-stream output cap used when a request does not choose one (16 MiB).
    public static let defaultMaxOutputBytes = 16 << 20
}

/// The one-byte type that follows a frame's length.
public enum FrameType: UInt8, Sendable, CaseIterable {
    /// Either side announces its protocol version; the first frame each way.
    case hello = 0x01
    /// Server → agent: run a command.
    case exec = 0x02
    /// Server → agent: bytes for the command's stdin.
    case stdin = 0x03
    /// Server → agent: the command's stdin is complete.
    case stdinEnd = 0x04
    /// Server → agent: send a signal to the command's process group.
    case signal = 0x05
    /// Agent → server: the command runs, with this pid (= process group id).
    case started = 0x81
    /// Agent → server: a chunk of the command's stdout.
    case stdout = 0x82
    /// Agent → server: a chunk of the command's stderr.
    case stderr = 0x83
    /// Agent → server: the command is over; the last frame.
    case exit = 0x84
    /// Agent → server: the request was refused or failed; the last frame.
    case error = 0x85
}
