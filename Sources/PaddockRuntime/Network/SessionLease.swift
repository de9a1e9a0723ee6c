import PaddockCore

/// The /30 one session holds: the network, the gateway (host end of the veth, first address)
/// and the session's own address (second address).
public struct SessionLease: Sendable, Hashable {
    /// The /30.
    public let subnet: IPv4Network
    /// The host end of the veth pair, where the egress gateway listens.
    public var gateway: IPv4Address { IPv4Address(subnet.address.value + 1) }
    /// The address of `eth0` inside the session.
    public var sessionAddress: IPv4Address { IPv4Address(subnet.address.value + 2) }

    /// The prefix length of every lease.
    public static let prefixLength = 30

    /// A lease of `subnet`, which must be a /30.
    public init(subnet: IPv4Network) throws(PaddockError) {
        guard subnet.prefixLength == Self.prefixLength else {
            throw .invalid("subnet", "\(subnet) is not a /\(Self.prefixLength)")
        }
        self.subnet = subnet
    }
}

/// The pool sessions take their /30 from, and which of its blocks are free.
struct SessionAddressPool: Sendable {
    /// The pool, at most a /30.
    let network: IPv4Network

    /// A pool of `network`; `invalidArgument` when it cannot hold one /30.
    init(_ network: IPv4Network) throws(PaddockError) {
        guard network.prefixLength <= SessionLease.prefixLength else {
            throw .invalid("pool", "\(network) is smaller than one /\(SessionLease.prefixLength)")
        }
        self.network = network
    }

    /// How many leases the pool holds.
    var capacity: Int { Int(network.size >> 2) }

    /// The lowest block not in `taken`, or nil when the pool is full.
    func firstFree(excluding taken: Set<IPv4Network>) -> SessionLease? {
        for index in 0..<capacity {
            let block = IPv4Network(IPv4Address(network.address.value + UInt32(index) * 4),
                                    prefixLength: SessionLease.prefixLength)
            if !taken.contains(block) { return try? SessionLease(subnet: block) }
        }
        return nil
    }
}
