/// One frame of the agent protocol, in either direction (see `AgentProtocol.swift`).
public enum AgentFrame: Sendable, Equatable {
    /// Either side's protocol version; the first frame each way.
    case hello(version: Int)
    /// Server → agent: run this command.
    case exec(ExecRequest)
    /// Server → agent: bytes for stdin.
    case stdin([UInt8])
    /// Server → agent: no more stdin.
    case stdinEnd
    /// Server → agent: send this signal to the process group.
    case signal(Int32)
    /// Agent → server: the command runs as this pid, which is also its process group.
    case started(pid: Int32)
    /// Agent → server: bytes the command wrote to stdout.
    case stdout([UInt8])
    /// Agent → server: bytes the command wrote to stderr.
    case stderr([UInt8])
    /// Agent → server: the command ended; the last frame.
    case exit(ExecExit)
    /// Agent → server: the request failed; the last frame.
    case error(AgentError)

    /// The type byte of this frame.
    public var type: FrameType {
        switch self {
        case .hello: .hello
        case .exec: .exec
        case .stdin: .stdin
        case .stdinEnd: .stdinEnd
        case .signal: .signal
        case .started: .started
        case .stdout: .stdout
        case .stderr: .stderr
        case .exit: .exit
        case .error: .error
        }
    }

    /// The complete frame: length, type byte and payload.
    public func encoded() -> [UInt8] {
        switch self {
        case .stdin(let bytes), .stdout(let bytes), .stderr(let bytes):
            return Self.frame(type, payload: bytes)
        case .stdinEnd:
            return Self.frame(type, payload: [])
        case .hello(let version):
            return Self.frame(type, payload: AgentJSON.object([("version", .int(version))]).encoded())
        case .exec(let request):
            return Self.frame(type, payload: request.json.encoded())
        case .signal(let number):
            return Self.frame(type, payload: AgentJSON.object([("signal", .int(Int(number)))]).encoded())
        case .started(let pid):
            return Self.frame(type, payload: AgentJSON.object([("pid", .int(Int(pid)))]).encoded())
        case .exit(let exit):
            return Self.frame(type, payload: exit.json.encoded())
        case .error(let error):
            let json = AgentJSON.object([("code", .string(error.code.rawValue)), ("message", .string(error.message))])
            return Self.frame(type, payload: json.encoded())
        }
    }

    /// A frame of raw bytes (stdin, stdout, stderr) built without an intermediate array.
    public static func chunk(_ type: FrameType, _ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var out = header(type, payloadCount: bytes.count)
        out.append(contentsOf: bytes)
        return out
    }

    private static func frame(_ type: FrameType, payload: [UInt8]) -> [UInt8] {
        var out = header(type, payloadCount: payload.count)
        out += payload
        return out
    }

    private static func header(_ type: FrameType, payloadCount: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(5 + payloadCount)
        let length = UInt32(payloadCount + 1)
        out += [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
        out.append(type.rawValue)
        return out
    }

    /// Decodes the payload of a frame of type `typeByte`. A bad `exec` payload throws
    /// `invalidArgument`; anything else malformed throws `protocolViolation`.
    public static func decode(typeByte: UInt8, payload: ArraySlice<UInt8>) throws(AgentError) -> AgentFrame {
        guard let type = FrameType(rawValue: typeByte) else {
            throw AgentError(.protocolViolation, "unknown frame type \(typeByte)")
        }
        switch type {
        case .stdin: return .stdin(Array(payload))
        case .stdout: return .stdout(Array(payload))
        case .stderr: return .stderr(Array(payload))
        case .stdinEnd: return .stdinEnd
        case .hello: return .hello(version: try int(AgentJSON.parse(payload), "version", type))
        case .exec: return .exec(try ExecRequest(json: AgentJSON.parse(payload)))
        case .signal:
            let number = try int(AgentJSON.parse(payload), "signal", type)
            guard (1..<65).contains(number) else { throw AgentError(.invalidArgument, "invalid signal \(number)") }
            return .signal(Int32(number))
        case .started:
            let pid = try int(AgentJSON.parse(payload), "pid", type)
            guard (1...Int(Int32.max)).contains(pid) else { throw AgentError(.protocolViolation, "invalid pid \(pid)") }
            return .started(pid: Int32(pid))
        case .exit: return .exit(try ExecExit(json: AgentJSON.parse(payload)))
        case .error:
            let json = try AgentJSON.parse(payload)
            guard case .string(let message)? = json["message"] else {
                throw AgentError(.protocolViolation, "error frame without a message")
            }
            var code = AgentError.Code.internal
            if case .string(let name)? = json["code"], let known = AgentError.Code(rawValue: name) { code = known }
            return .error(AgentError(code, message))
        }
    }

    private static func int(_ json: AgentJSON, _ key: String, _ type: FrameType) throws(AgentError) -> Int {
        guard case .int(let value)? = json[key] else {
            throw AgentError(.protocolViolation, "\(type) frame needs an integer \(key)")
        }
        return value
    }
}

/// Cuts a byte stream into frames: feed it what the socket gave, then take whole frames.
public struct AgentFrameDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0

    /// An empty decoder.
    public init() {}

    /// True when no partial frame is waiting for more bytes.
    public var isEmpty: Bool { start == buffer.count }

    /// Adds bytes read from the stream.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Adds bytes read from the stream.
    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next complete frame, or nil until more bytes arrive.
    public mutating func next() throws(AgentError) -> AgentFrame? {
        let available = buffer.count - start
        guard available >= 5 else { return nil }
        let length = Int(buffer[start]) << 24 | Int(buffer[start + 1]) << 16
            | Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
        guard length >= 1, length <= AgentProtocol.maxFrameLength else {
            throw AgentError(.protocolViolation, "invalid frame length \(length)")
        }
        guard available >= 4 + length else { return nil }
        let frame = try AgentFrame.decode(typeByte: buffer[start + 4],
                                          payload: buffer[(start + 5)..<(start + 4 + length)])
        start += 4 + length
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return frame
    }
}
