import Foundation
import Glibc
import PaddockCore

/// The UDP DNS responder of one session (network.md, "DNS responder"): answers A queries for
/// names the policy allows with addresses from the resolver, answers every other name with
/// NXDOMAIN without asking anyone, and answers AAAA with no records (IPv6 is off). Records
/// every query. Loop thread only.
final class DNSResponder: LoopHandler, @unchecked Sendable {
    let fd: Int32
    private let context: GatewayContext
    private let policy: EgressPolicy
    private let sessionID: String
    private var token: UInt64?
    private var lookups = 0
    private var buffer = [UInt8](repeating: 0, count: 4096)

    /// The most datagrams answered per wake-up before yielding to other work.
    static let budget = 64

    init(fd: Int32, session: GatewaySession) {
        self.fd = fd
        context = session.context
        policy = session.policy
        sessionID = session.id
    }

    func register() -> Bool {
        token = context.loop.register(fd: fd, events: LinuxCalls.epollIn | LinuxCalls.epollET, handler: self)
        return token != nil
    }

    func close() {
        if let token { context.loop.unregister(token: token, fd: fd) }
        token = nil
        Glibc.close(fd)
    }

    func handle(events: UInt32, fd: Int32) {
        receiveAll()
    }

    private func receiveAll() {
        var remaining = Self.budget
        while token != nil {
            guard remaining > 0 else {
                context.loop.later { [self] in receiveAll() }
                return
            }
            remaining -= 1
            var peer = sockaddr_in()
            var peerLength = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, bytes.baseAddress, bytes.count, 0, $0, &peerLength) }
                }
            }
            if count < 0 {
                if errno == EINTR { continue }
                return
            }
            answer(Array(buffer[..<count]), peer: peer)
        }
    }

    private func answer(_ datagram: [UInt8], peer: sockaddr_in) {
        let time = Date()
        let started = EventLoop.now()
        switch DNSMessage.parse(datagram) {
        case .drop:
            return
        case .error(let id, let flags, let rcode):
            send(DNSMessage.errorResponse(id: id, flags: flags, rcode: rcode), to: peer)
            record(time: time, started: started, host: "", address: nil, allowed: false, reason: .malformed)
        case .query(let query):
            let canonical = query.name.flatMap { HostPattern.canonicalHost($0) }
            let shown = canonical ?? GatewayResponse.printable((query.name ?? "").utf8)
            guard query.qclass == DNSMessage.classIN else {
                send(DNSMessage.response(to: query, rcode: .notImplemented), to: peer)
                record(time: time, started: started, host: shown, address: nil, allowed: false, reason: .malformed)
                return
            }
            guard let canonical, policy.allowsName(canonical) else {
                send(DNSMessage.response(to: query, rcode: .nameError), to: peer)
                record(time: time, started: started, host: shown, address: nil, allowed: false, reason: .hostNotAllowed)
                return
            }
            guard query.type == DNSMessage.typeA else {
                send(DNSMessage.response(to: query, rcode: .noError), to: peer)
                record(time: time, started: started, host: canonical, address: nil, allowed: true, reason: nil)
                return
            }
            lookUp(query, name: canonical, peer: peer, time: time, started: started)
        }
    }

    private func lookUp(_ query: DNSMessage.Query, name: String, peer: sockaddr_in, time: Date, started: UInt64) {
        guard lookups < context.maxDNSLookupsPerSession else {
            send(DNSMessage.response(to: query, rcode: .serverFailure), to: peer)
            record(time: time, started: started, host: name, address: nil, allowed: true, reason: nil)
            return
        }
        lookups += 1
        let context = self.context
        let submitted = context.pool.submit { [self] in
            let result: Result<[IPv4Address], PaddockError>
            do throws(PaddockError) {
                result = .success(try context.resolver.addresses(of: name))
            } catch {
                result = .failure(error)
            }
            context.loop.execute { [self] in
                lookups -= 1
                guard token != nil else { return }
                switch result {
                case .success(let addresses):
                    send(DNSMessage.response(to: query, rcode: .noError, addresses: addresses), to: peer)
                    record(time: time, started: started, host: name, address: addresses.first, allowed: true, reason: nil)
                case .failure(let error):
                    send(DNSMessage.response(to: query, rcode: error.code == .notFound ? .nameError : .serverFailure), to: peer)
                    record(time: time, started: started, host: name, address: nil, allowed: true, reason: nil)
                }
            }
        }
        if !submitted {
            lookups -= 1
            send(DNSMessage.response(to: query, rcode: .serverFailure), to: peer)
            record(time: time, started: started, host: name, address: nil, allowed: true, reason: nil)
        }
    }

    private func send(_ bytes: [UInt8], to peer: sockaddr_in) {
        var peer = peer
        _ = bytes.withUnsafeBytes { data in
            withUnsafePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, data.baseAddress, data.count, Int32(MSG_NOSIGNAL), $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    private func record(time: Date, started: UInt64, host: String, address: IPv4Address?, allowed: Bool, reason: EgressDenyReason?) {
        context.recorder.record(EgressEvent(
            time: time, sessionID: sessionID, protocolName: .dns, host: host, port: 53, address: address?.description,
            allowed: allowed, reason: reason, durationMs: Int((EventLoop.now() - started) / 1_000_000)))
    }
}
