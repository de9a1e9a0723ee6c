import Foundation
import Glibc
import PaddockCore

/// One TCP connection from a session, from accept to close: read the request head (explicit
/// proxy) or sniff TLS/HTTP (transparent listener), decide, resolve, connect to a checked
/// address, then relay. Records exactly one ``EgressEvent``. Loop thread only.
final class ClientConnection: LoopHandler, DeadlineHandler, @unchecked Sendable {
    /// Where the connection is in its life.
    enum Phase {
        /// Reading the request head (or, on the transparent listener, the first bytes).
        case head
        /// Reading a TLS ClientHello.
        case hello
        /// Waiting for the lookup threads.
        case resolving
        /// Waiting for a non-blocking connect upstream.
        case connecting
        /// Relaying bytes.
        case relaying
        /// Answered and half-closed; discarding what the client still sends.
        case lingering
        /// Done.
        case closed
    }

    let session: GatewaySession
    let kind: TCPListener.Kind
    let client: Int32
    var context: GatewayContext { session.context }
    var loop: EventLoop { session.context.loop }

    var phase = Phase.head
    var clientToken: UInt64?
    /// Bytes read from the client and not yet forwarded.
    var buffer: [UInt8] = []
    /// When the current phase times out (monotonic ns); relaying uses the idle timeout instead.
    var deadline: UInt64
    let startedAt = Date()
    let startedMono = EventLoop.now()

    // What the connection asked for.
    var protocolName: EgressProtocol
    /// The canonical host (or a printable form of what was sent, if it is not a valid host).
    var host = ""
    var port = 0
    /// Whether `host` is a name (not an IP literal).
    var hostIsName = false
    /// For CONNECT to port 443: the ClientHello's SNI is checked before connecting.
    var checksClientHello = false
    /// For CONNECT to port 80: the first HTTP request head in the tunnel must name the CONNECT
    /// host; it is sent upstream with `Connection: close`, so no later request can name another.
    var checksTunnelHead = false
    /// Whether the CONNECT `200` was sent: after it, refusals can only close the tunnel.
    var tunnelPromised = false
    /// The original destination of a redirected connection (transparent listener).
    var originalDestination: (IPv4Address, Int)?

    // Upstream.
    var candidates: [IPv4Address] = []
    var nextCandidate = 0
    var address: IPv4Address?
    var upstream: Int32 = -1
    var upstreamToken: UInt64?
    var lastConnectError: Int32 = 0
    /// Bytes to send upstream before relaying (rewritten head, ClientHello, early data).
    var upPrefix: [UInt8] = []
    var relay: SpliceRelay?
    private var pumpScheduled = false

    private var recorded = false
    private var lingerDiscarded = 0

    init(client: Int32, kind: TCPListener.Kind, session: GatewaySession) {
        self.client = client
        self.kind = kind
        self.session = session
        protocolName = kind == .proxy ? .http : .transparentHTTP
        deadline = startedMono + session.context.handshakeTimeout
    }

    /// Registers the client socket and starts reading.
    func start() {
        Sockets.setOption(client, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        if kind == .transparent { originalDestination = Sockets.originalDestination(client) }
        clientToken = loop.register(fd: client, events: Self.socketEvents, handler: self)
        guard clientToken != nil else {
            close(client)
            session.remove(self)
            phase = .closed
            return
        }
        loop.watchDeadline(self)
        readHead()
    }

    /// Every socket is registered once, edge-triggered, for both directions.
    static let socketEvents = LinuxCalls.epollIn | LinuxCalls.epollOut | LinuxCalls.epollRdHup | LinuxCalls.epollET

    func handle(events: UInt32, fd: Int32) {
        if fd == client {
            switch phase {
            case .head: readHead()
            case .hello: readHello()
            case .relaying:
                relay?.noteEvents(events, isClient: true)
                pump()
            case .lingering: drainLinger()
            case .resolving, .connecting, .closed: break
            }
        } else if fd == upstream {
            switch phase {
            case .connecting: connectCompleted()
            case .relaying:
                relay?.noteEvents(events, isClient: false)
                pump()
            default: break
            }
        }
    }

    // MARK: reading

    /// The outcome of reading from the client into `buffer`.
    enum ReadOutcome {
        case data
        case wouldBlock
        case ended
        case failed
    }

    /// Reads at most `limit` more bytes into `buffer`.
    func readClient(limit: Int) -> ReadOutcome {
        let chunk = min(limit, 16 * 1024)
        guard chunk > 0 else { return .data }
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress! + start, chunk, 0) }
        buffer.removeLast(chunk - max(count, 0))
        if count > 0 { return .data }
        if count == 0 { return .ended }
        return errno == EAGAIN || errno == EINTR ? .wouldBlock : .failed
    }

    /// Writes a short answer at once; false if it did not fit (the connection is then broken).
    func sendNow(_ bytes: [UInt8]) -> Bool {
        Sockets.send(client, bytes[...]) == bytes.count
    }

    // MARK: relaying

    func pump() {
        guard phase == .relaying, let relay else { return }
        switch relay.pump() {
        case .open: break
        case .busy:
            guard !pumpScheduled else { return }
            pumpScheduled = true
            loop.later { [self] in
                pumpScheduled = false
                pump()
            }
        case .finished, .broken:
            finish(allowed: true, reason: nil)
        }
    }

    func checkDeadline(now: UInt64) {
        switch phase {
        case .closed:
            return
        case .relaying:
            if let relay, now >= relay.lastActivity + context.idleTimeout { finish(allowed: true, reason: nil) }
        case .head, .hello:
            if now >= deadline { refuseMalformed("timed out waiting for the request", answer: nil) }
        case .resolving, .connecting:
            if now >= deadline { upstreamFailed("\(host):\(port) did not answer in time", timedOut: true) }
        case .lingering:
            if now >= deadline { closeSockets(reset: false) }
        }
    }

    // MARK: ending

    /// Records the event once.
    func record(allowed: Bool, reason: EgressDenyReason?) {
        guard !recorded else { return }
        recorded = true
        let elapsed = (EventLoop.now() - startedMono) / 1_000_000
        context.recorder.record(EgressEvent(
            time: startedAt, sessionID: session.id, protocolName: protocolName, host: host, port: port,
            address: address?.description, allowed: allowed, reason: reason,
            bytesUp: relay?.up.bytes ?? 0, bytesDown: relay?.down.bytes ?? 0, durationMs: Int(elapsed)))
    }

    /// Records and closes everything.
    func finish(allowed: Bool, reason: EgressDenyReason?, reset: Bool = false) {
        guard phase != .closed else { return }
        record(allowed: allowed, reason: reason)
        closeSockets(reset: reset)
    }

    /// Closed by the gateway (detach): recorded as it stands.
    func abort() {
        switch phase {
        case .closed: return
        case .relaying, .resolving, .connecting, .lingering: finish(allowed: true, reason: nil)
        case .head, .hello: finish(allowed: false, reason: .malformed)
        }
    }

    /// Answers `bytes`, half-closes, and discards what the client still sends for a moment,
    /// so that the answer is read rather than lost to a reset.
    func answerAndLinger(_ bytes: [UInt8]) {
        closeUpstream()
        _ = Sockets.send(client, bytes[...])
        _ = shutdown(client, Int32(SHUT_WR))
        phase = .lingering
        deadline = EventLoop.now() + context.lingerTime
        drainLinger()
    }

    private func drainLinger() {
        var scratch = [UInt8](repeating: 0, count: 4096)
        while phase == .lingering {
            let count = scratch.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                lingerDiscarded += count
                if lingerDiscarded > 256 * 1024 { closeSockets(reset: false) }
            } else if count < 0, errno == EAGAIN || errno == EINTR {
                return
            } else {
                closeSockets(reset: false)
            }
        }
    }

    func closeUpstream() {
        guard upstream >= 0 else { return }
        if let upstreamToken { loop.unregister(token: upstreamToken, fd: upstream) }
        upstreamToken = nil
        close(upstream)
        upstream = -1
    }

    func closeSockets(reset: Bool) {
        guard phase != .closed else { return }
        phase = .closed
        loop.unwatchDeadline(self)
        relay?.closePipes()
        closeUpstream()
        if let clientToken { loop.unregister(token: clientToken, fd: client) }
        clientToken = nil
        if reset { Sockets.closeWithReset(client) } else { close(client) }
        session.remove(self)
    }
}
