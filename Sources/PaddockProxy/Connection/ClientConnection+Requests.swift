import Glibc
import PaddockCore

/// Reading what the client asks for: the request head, or the ClientHello.
extension ClientConnection {
    /// Reads until the head is complete (or, on the transparent listener, until the first byte
    /// tells TLS from HTTP).
    func readHead() {
        while phase == .head {
            if kind == .transparent, let first = buffer.first, first == TLSClientHello.handshakeRecord {
                protocolName = .transparentTLS
                phase = .hello
                readHello()
                return
            }
            if let end = HTTPRequestHead.headEnd(in: buffer) {
                headReceived(end: end)
                return
            }
            if buffer.count >= HTTPRequestHead.maxSize {
                host = ""
                refuseMalformed("the request head is larger than \(HTTPRequestHead.maxSize) bytes",
                                answer: GatewayResponse.malformed("the request head is larger than \(HTTPRequestHead.maxSize) bytes", oversize: true))
                return
            }
            switch readClient(limit: HTTPRequestHead.maxSize - buffer.count) {
            case .data: continue
            case .wouldBlock: return
            case .ended, .failed:
                if buffer.isEmpty { closeSockets(reset: false) } else { finish(allowed: false, reason: .malformed) }
                return
            }
        }
    }

    /// Reads until the ClientHello is complete, then decides on its server name.
    func readHello() {
        while phase == .hello {
            switch TLSClientHello.parse(buffer) {
            case .hello(let serverName):
                helloReceived(serverName: serverName)
                return
            case .malformed:
                refuseMalformed("not a TLS ClientHello", answer: nil)
                return
            case .needMore:
                break
            }
            switch readClient(limit: TLSClientHello.maxSize - buffer.count) {
            case .data: continue
            case .wouldBlock: return
            case .ended, .failed:
                finish(allowed: false, reason: .malformed, reset: kind == .transparent)
                return
            }
        }
    }

    /// Refuses a request that could not be read: `answer` (an HTTP 400) when there is one,
    /// otherwise the connection is just closed (reset on the transparent TLS path).
    func refuseMalformed(_ detail: String, answer: [UInt8]?) {
        record(allowed: false, reason: .malformed)
        if let answer {
            answerAndLinger(answer)
        } else {
            closeSockets(reset: kind == .transparent)
        }
    }

    /// Refuses by policy: `403` with the reason for HTTP and explicit CONNECT (before its
    /// `200`), a reset for transparent TLS, a plain close once a CONNECT tunnel was promised.
    func refuse(_ reason: EgressDenyReason) {
        record(allowed: false, reason: reason)
        if protocolName == .transparentTLS {
            closeSockets(reset: true)
        } else if tunnelPromised {
            closeSockets(reset: false)
        } else {
            answerAndLinger(GatewayResponse.denied(reason, host: host, port: port, policy: session.policy))
        }
    }

    /// Sets the target from the host text as sent; the event shows its canonical form.
    func setTarget(host raw: String, port: Int) {
        self.port = port
        if let canonical = HostPattern.canonicalHost(raw) {
            host = canonical
            hostIsName = IPv4Address(canonical) == nil && !canonical.hasPrefix("[")
        } else {
            host = GatewayResponse.printable(raw.utf8)
            hostIsName = false
        }
    }

    private func headReceived(end: Int) {
        let leftover = Array(buffer[end...])
        guard let head = HTTPRequestHead.parse(buffer[..<end]) else {
            refuseMalformed("malformed request head", answer: GatewayResponse.malformed("the request line or a header field is malformed"))
            return
        }
        buffer = []
        if checksTunnelHead {
            tunnelRequest(head, leftover: leftover)
        } else if kind == .proxy {
            proxyRequest(head, leftover: leftover)
        } else {
            transparentRequest(head, leftover: leftover)
        }
    }

    /// The explicit proxy: `CONNECT host:port` or an absolute `http://` URI.
    private func proxyRequest(_ head: HTTPRequestHead, leftover: [UInt8]) {
        if head.method == "CONNECT" {
            protocolName = .connect
            guard let target = RequestTarget.connectAuthority(head.target) else {
                host = GatewayResponse.printable(head.target.utf8)
                refuseMalformed("bad CONNECT target", answer: GatewayResponse.malformed("CONNECT needs host:port, e.g. CONNECT pypi.org:443"))
                return
            }
            setTarget(host: target.host, port: target.port)
            checksClientHello = context.helloCheckedPorts.contains(target.port)
            checksTunnelHead = !checksClientHello && context.headCheckedPorts.contains(target.port)
            upPrefix = leftover
        } else {
            protocolName = .http
            guard let target = RequestTarget.absoluteHTTP(head.target) else {
                host = GatewayResponse.printable(head.target.utf8)
                refuseMalformed("not a proxy request", answer: GatewayResponse.malformed(
                    "a proxy request needs an absolute http:// URI or CONNECT host:port (use CONNECT for https)"))
                return
            }
            setTarget(host: target.host, port: target.port)
            upPrefix = head.upstreamHead(target: target.originForm, hostField: target.authority) + leftover
        }
        decideAndResolve()
    }

    /// The first request inside a CONNECT tunnel to port 80: its target (absolute URI or the one
    /// `Host` field) must be the CONNECT host, else it is answered `403` inside the tunnel; it
    /// goes upstream with `Connection: close`.
    private func tunnelRequest(_ head: HTTPRequestHead, leftover: [UInt8]) {
        let hostFields = head.values(of: "host")
        let named: RequestTarget?
        let origin: String
        if let target = RequestTarget.absoluteHTTP(head.target) {
            (named, origin) = (target, target.originForm)
        } else if hostFields.count == 1, head.target.hasPrefix("/") || head.target == "*" {
            (named, origin) = (RequestTarget.hostField(hostFields[0], defaultPort: port), head.target)
        } else {
            (named, origin) = (nil, "")
        }
        guard let named else {
            refuseMalformed("no usable Host field in the tunnel", answer: GatewayResponse.malformed("the request needs exactly one Host field"))
            return
        }
        guard HostPattern.canonicalHost(named.host) == host, named.port == port else {
            // The event and the answer name the host the request asked for.
            setTarget(host: named.host, port: named.port)
            record(allowed: false, reason: .hostNotAllowed)
            answerAndLinger(GatewayResponse.denied(.hostNotAllowed, host: host, port: port, policy: session.policy))
            return
        }
        checksTunnelHead = false
        upPrefix = head.upstreamHead(target: origin, hostField: named.authority) + leftover
        connectNext()
    }

    /// The transparent listener, plain HTTP: the target is the `Host` field (or an absolute
    /// URI); the port is the one the connection was redirected from.
    private func transparentRequest(_ head: HTTPRequestHead, leftover: [UInt8]) {
        protocolName = .transparentHTTP
        let redirectedPort = originalDestination?.1 ?? context.fallbackHTTPPort
        let hostFields = head.values(of: "host")
        if let target = RequestTarget.absoluteHTTP(head.target) {
            setTarget(host: target.host, port: redirectedPort)
            upPrefix = head.upstreamHead(target: target.originForm, hostField: target.authority) + leftover
        } else if hostFields.count == 1, let target = RequestTarget.hostField(hostFields[0], defaultPort: redirectedPort),
                  head.target.hasPrefix("/") || head.target == "*" {
            setTarget(host: target.host, port: redirectedPort)
            upPrefix = head.upstreamHead(target: head.target, hostField: hostFields[0]) + leftover
        } else {
            host = GatewayResponse.printable((hostFields.first ?? "").utf8)
            port = redirectedPort
            refuseMalformed("no usable Host field", answer: GatewayResponse.malformed("the request needs exactly one Host field"))
            return
        }
        decideAndResolve()
    }

    /// The ClientHello is complete: check its name and go on.
    private func helloReceived(serverName: String?) {
        if protocolName == .transparentTLS {
            let redirectedPort = originalDestination?.1 ?? context.fallbackTLSPort
            guard let serverName else {
                host = originalDestination?.0.description ?? ""
                port = redirectedPort
                refuse(.hostNotAllowed)
                return
            }
            setTarget(host: serverName, port: redirectedPort)
            upPrefix = buffer
            buffer = []
            decideAndResolve()
            return
        }
        // CONNECT to port 443: the SNI must be the CONNECT host (or, for an IP literal, allowed).
        if let serverName {
            let canonical = HostPattern.canonicalHost(serverName)
            let matches: Bool
            if hostIsName {
                matches = canonical == host
            } else {
                matches = canonical.map { session.policy.decide(host: $0, port: port) == nil } ?? false
            }
            guard matches else {
                refuse(.sniMismatch)
                return
            }
        }
        upPrefix += buffer
        buffer = []
        connectNext()
    }
}
