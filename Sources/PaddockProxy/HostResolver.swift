import Glibc
import PaddockCore

/// Turns a host name into IPv4 addresses for the gateway (IPv6 is off in sessions). Called on
/// the gateway's lookup threads, so an implementation may block. A seam so tests can map names
/// to loopback addresses.
public protocol HostResolver: Sendable {
    /// The IPv4 addresses of canonical name `host`, in the order to try them. Throws
    /// `.notFound` when the name does not exist, `.internal` when the lookup failed.
    func addresses(of host: String) throws(PaddockError) -> [IPv4Address]
}

/// The host's resolver through `getaddrinfo(3)` with `AF_INET` only.
public struct SystemResolver: HostResolver {
    /// Creates the resolver.
    public init() {}

    /// Looks `host` up with `getaddrinfo`; duplicates are dropped, order is kept.
    public func addresses(of host: String) throws(PaddockError) -> [IPv4Address] {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            // EAI_NONAME (-2) and glibc's EAI_NODATA (-5): the name has no IPv4 address.
            if status == EAI_NONAME || status == -5 { throw PaddockError(.notFound, "\(host) does not resolve to an IPv4 address") }
            throw PaddockError(.internal, "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var addresses: [IPv4Address] = []
        var entry = list
        while let current = entry {
            if current.pointee.ai_family == AF_INET, let raw = current.pointee.ai_addr {
                let socketAddress = UnsafeRawPointer(raw).loadUnaligned(as: sockaddr_in.self)
                let address = Sockets.endpoint(socketAddress).0
                if !addresses.contains(address) { addresses.append(address) }
            }
            entry = current.pointee.ai_next
        }
        return addresses
    }
}
