import Glibc

/// A listening socket of one session (the explicit proxy or the transparent listener) that
/// hands accepted connections to its session. Loop thread only.
final class TCPListener: LoopHandler, DeadlineHandler {
    /// Which listener this is.
    enum Kind: Sendable {
        /// `HTTP_PROXY`: CONNECT and absolute-URI requests.
        case proxy
        /// Where nftables redirects TCP 80/443: the target comes from the SNI or `Host`.
        case transparent
    }

    let fd: Int32
    let kind: Kind
    private unowned let session: GatewaySession
    private var token: UInt64?
    private var retryAt: UInt64 = 0

    init(fd: Int32, kind: Kind, session: GatewaySession) {
        self.fd = fd
        self.kind = kind
        self.session = session
    }

    func register() -> Bool {
        token = session.context.loop.register(fd: fd, events: LinuxCalls.epollIn | LinuxCalls.epollET, handler: self)
        return token != nil
    }

    func handle(events: UInt32, fd: Int32) {
        acceptAll()
    }

    /// Accepts until the backlog is empty; when out of descriptors, retries a little later.
    private func acceptAll() {
        while token != nil {
            let client = LinuxCalls.accept(fd)
            if client >= 0 {
                session.accept(client: client, kind: kind)
                continue
            }
            switch errno {
            case EINTR, ECONNABORTED, EPROTO:
                continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                retryAt = EventLoop.now() + EventLoop.sweepInterval
                session.context.loop.watchDeadline(self)
                return
            default:
                return
            }
        }
    }

    func checkDeadline(now: UInt64) {
        guard now >= retryAt else { return }
        session.context.loop.unwatchDeadline(self)
        acceptAll()
    }

    func close() {
        session.context.loop.unwatchDeadline(self)
        if let token { session.context.loop.unregister(token: token, fd: fd) }
        token = nil
        Glibc.close(fd)
    }
}
