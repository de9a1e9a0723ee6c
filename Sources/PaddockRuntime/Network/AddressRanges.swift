import PaddockCore

/// A set of IPv4 addresses kept as sorted, disjoint, non-adjacent closed ranges; used to
/// compute the destinations a session may never reach (the always-denied set, minus the
/// operator's openings, plus the ranges nothing may open).
struct AddressRanges: Sendable, Equatable {
    /// The ranges, ascending, merged.
    private(set) var ranges: [ClosedRange<UInt32>] = []

    /// The empty set.
    init() {}

    /// The union of `networks`.
    init(_ networks: [IPv4Network]) {
        for network in networks { insert(network) }
    }

    /// Adds every address of `network`.
    mutating func insert(_ network: IPv4Network) {
        insert(network.address.value...network.lastAddress.value)
    }

    /// Adds every address of `range`, merging with overlapping or adjacent ranges.
    mutating func insert(_ range: ClosedRange<UInt32>) {
        var lower = range.lowerBound
        var upper = range.upperBound
        var kept: [ClosedRange<UInt32>] = []
        for existing in ranges {
            if Self.overlapsOrTouches(existing, lower...upper) {
                lower = min(lower, existing.lowerBound)
                upper = max(upper, existing.upperBound)
            } else {
                kept.append(existing)
            }
        }
        kept.append(lower...upper)
        ranges = kept.sorted { $0.lowerBound < $1.lowerBound }
    }

    /// Removes every address of `network`.
    mutating func remove(_ network: IPv4Network) {
        let cut = network.address.value...network.lastAddress.value
        var kept: [ClosedRange<UInt32>] = []
        for existing in ranges {
            guard existing.overlaps(cut) else {
                kept.append(existing)
                continue
            }
            if existing.lowerBound < cut.lowerBound { kept.append(existing.lowerBound...(cut.lowerBound - 1)) }
            if existing.upperBound > cut.upperBound { kept.append((cut.upperBound + 1)...existing.upperBound) }
        }
        ranges = kept
    }

    /// Whether `address` is in the set.
    func contains(_ address: IPv4Address) -> Bool {
        ranges.contains { $0.contains(address.value) }
    }

    /// Each range in nft notation: `a.b.c.d/n` when it is exactly one network, a single
    /// address for one address, `a.b.c.d-e.f.g.h` otherwise (as `nft list` prints them).
    var nftElements: [String] {
        ranges.map { range in
            let span = UInt64(range.upperBound) - UInt64(range.lowerBound) + 1
            if span == 1 { return "\(IPv4Address(range.lowerBound))" }
            if span & (span - 1) == 0, UInt64(range.lowerBound) % span == 0 {
                let prefix = 32 - span.trailingZeroBitCount
                return "\(IPv4Address(range.lowerBound))/\(prefix)"
            }
            return "\(IPv4Address(range.lowerBound))-\(IPv4Address(range.upperBound))"
        }
    }

    /// Whether two ranges share an address or sit next to each other.
    private static func overlapsOrTouches(_ a: ClosedRange<UInt32>, _ b: ClosedRange<UInt32>) -> Bool {
        if a.overlaps(b) { return true }
        if a.upperBound < b.lowerBound { return a.upperBound + 1 == b.lowerBound }
        return b.upperBound + 1 == a.lowerBound
    }
}
