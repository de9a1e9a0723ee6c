import Glibc
import PaddockCore

/// Deciding, resolving and connecting upstream.
extension ClientConnection {
    /// Decides on the canonical target, then resolves it (an IP literal is its own address).
    func decideAndResolve() {
        if let reason = session.policy.decide(host: host, port: port) {
            if reason == .addressDenied, let literal = IPv4Address(host) { address = literal }
            refuse(reason)
            return
        }
        phase = .resolving
        deadline = EventLoop.now() + context.connectTimeout
        if let literal = IPv4Address(host) {
            resolved(.success([literal]))
            return
        }
        let name = host
        let context = self.context
        let submitted = context.pool.submit { [self] in
            let result: Result<[IPv4Address], PaddockError>
            do throws(PaddockError) {
                result = .success(try context.resolver.addresses(of: name))
            } catch {
                result = .failure(error)
            }
            context.loop.execute { [self] in resolved(result) }
        }
        if !submitted { upstreamFailed("the gateway is too busy to resolve \(host)", timedOut: false) }
    }

    /// Whether the policy lets this connection reach `address` on its port, and `address` is
    /// not one of the host's own addresses now (one the host gained after the server started
    /// is not in the policy's denied set; a package mirror's own endpoint stays reachable).
    func mayConnect(to address: IPv4Address) -> Bool {
        guard !session.policy.isDenied(address, port: port) else { return false }
        guard context.hostAddresses.contains(address) else { return true }
        return session.policy.addresses.mirrors.contains(.init(address: address, port: port))
    }

    /// Checks the addresses a name resolved to; connects to the first allowed one (or, for a
    /// CONNECT to port 443, first reads the ClientHello).
    func resolved(_ result: Result<[IPv4Address], PaddockError>) {
        guard phase == .resolving else { return }
        let addresses: [IPv4Address]
        switch result {
        case .failure(let error):
            upstreamFailed(error.code == .notFound ? "\(host) does not resolve" : "cannot resolve \(host)", timedOut: false)
            return
        case .success(let list):
            addresses = list
        }
        guard let first = addresses.first else {
            upstreamFailed("\(host) has no IPv4 address", timedOut: false)
            return
        }
        candidates = addresses.filter { mayConnect(to: $0) }
        guard !candidates.isEmpty else {
            address = first
            refuse(.addressDenied)
            return
        }
        // CONNECT to 443 (or 80): promise the tunnel, then read the ClientHello (or the first
        // request) in it before connecting upstream.
        if checksClientHello || checksTunnelHead {
            guard sendNow(GatewayResponse.connectEstablished) else {
                finish(allowed: true, reason: nil)
                return
            }
            tunnelPromised = true
            buffer = upPrefix
            upPrefix = []
            phase = checksClientHello ? .hello : .head
            deadline = EventLoop.now() + context.handshakeTimeout
            if checksClientHello { readHello() } else { readHead() }
            return
        }
        connectNext()
    }

    /// Starts connecting to the next allowed address, or fails when none is left.
    func connectNext() {
        if phase != .connecting {
            phase = .connecting
            deadline = EventLoop.now() + context.connectTimeout
        }
        while nextCandidate < candidates.count {
            let candidate = candidates[nextCandidate]
            nextCandidate += 1
            address = candidate
            let (fd, error) = Sockets.startConnect(to: candidate, port: port)
            guard fd >= 0 else {
                lastConnectError = error
                continue
            }
            upstream = fd
            upstreamToken = loop.register(fd: fd, events: Self.socketEvents, handler: self)
            guard upstreamToken != nil else {
                lastConnectError = errno
                closeUpstream()
                continue
            }
            if error == 0 { connected() }
            return
        }
        upstreamFailed("cannot connect to \(host):\(port): \(Sockets.describe(lastConnectError))", timedOut: false)
    }

    /// The upstream socket became writable (or failed) while connecting.
    func connectCompleted() {
        let error = Sockets.pendingError(upstream)
        guard error == 0 else {
            lastConnectError = error
            closeUpstream()
            connectNext()
            return
        }
        connected()
    }

    private func connected() {
        // The relay's pipes first: a gateway out of descriptors still answers 502, never a
        // `200` followed by a close.
        guard let relay = SpliceRelay(client: client, upstream: upstream, upPrefix: upPrefix, pipeSize: context.pipeSize) else {
            upstreamFailed("the gateway is out of descriptors", timedOut: false)
            return
        }
        upPrefix = []
        self.relay = relay
        if protocolName == .connect, !tunnelPromised {
            guard sendNow(GatewayResponse.connectEstablished) else {
                finish(allowed: true, reason: nil)
                return
            }
            tunnelPromised = true
        }
        phase = .relaying
        pump()
    }

    /// An allowed target could not be reached: `502`/`504` when the client still expects an
    /// HTTP answer, otherwise a close (reset on the transparent TLS path). Recorded as allowed,
    /// with no bytes.
    func upstreamFailed(_ detail: String, timedOut: Bool) {
        record(allowed: true, reason: nil)
        let answered = protocolName == .http || protocolName == .transparentHTTP
            || (protocolName == .connect && !tunnelPromised)
        if answered {
            answerAndLinger(GatewayResponse.upstreamFailure(detail, timedOut: timedOut))
        } else {
            closeSockets(reset: protocolName == .transparentTLS)
        }
    }
}
