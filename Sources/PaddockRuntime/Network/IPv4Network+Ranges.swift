import PaddockCore

extension IPv4Network {
    /// The network of one address (a /32).
    init(host: IPv4Address) {
        self.init(host, prefixLength: 32)
    }

    /// The last address of the network.
    var lastAddress: IPv4Address {
        IPv4Address(address.value | (prefixLength == 0 ? UInt32.max : ~(UInt32.max << UInt32(32 - prefixLength))))
    }

    /// The number of addresses in the network.
    var size: UInt64 { UInt64(1) << UInt64(32 - prefixLength) }
}
