import PaddockCore

extension AddressPolicy {
    /// The policy's denied IPv4 addresses as ranges for nftables: the always-denied set minus
    /// the operator's ranges, plus the extra denied ranges (which no operator range opens) —
    /// the same precedence as ``AddressPolicy/isDenied(_:)-(IPv4Address)``.
    var deniedRanges: AddressRanges {
        var denied = AddressRanges(Self.alwaysDenied)
        for network in allowed { denied.remove(network) }
        for network in extraDenied { denied.insert(network) }
        return denied
    }
}
