/// An IPv4 network in CIDR form (`10.0.0.0/8`, `203.0.113.7/32`), for the always-denied set,
/// the session pool and the operator's `--allow-cidr` ranges.
public struct IPv4Network: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the network (no host bits set).
    public let address: IPv4Address
    /// The number of leading bits that name the network, 0–32.
    public let prefixLength: Int

    /// Creates the network containing `address` with `prefixLength` bits (0–32); host bits are
    /// cleared, so `10.1.2.3/8` becomes `10.0.0.0/8`.
    public init(_ address: IPv4Address, prefixLength: Int) {
        let length = max(0, min(prefixLength, 32))
        self.address = IPv4Address(address.value & IPv4Address.mask(prefixLength: length))
        self.prefixLength = length
    }

    /// Parses `a.b.c.d/len` (or a bare address, meaning `/32`) in canonical dotted-quad form;
    /// host bits must be clear. Throws `.invalid(param, …)` otherwise.
    public static func parse(_ text: String, param: String) throws(PaddockError) -> IPv4Network {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPv4Address(String(parts[0])) else {
            throw .invalid(param, "\(EntryText.quoted(text)) is not an IPv4 network; write it as 'a.b.c.d/len', e.g. '10.20.0.0/16'")
        }
        var length = 32
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 2, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(digits), value <= 32 else {
                throw .invalid(param, "\(EntryText.quoted(text)) has an invalid prefix length; use a number from 0 to 32")
            }
            length = value
        }
        let network = IPv4Network(address, prefixLength: length)
        guard network.address == address else {
            throw .invalid(param, "\(EntryText.quoted(text)) has bits set outside the /\(length) network; write '\(network)'")
        }
        return network
    }

    /// Whether `candidate` lies in this network.
    public func contains(_ candidate: IPv4Address) -> Bool {
        candidate.isIn(network: address, prefixLength: prefixLength)
    }

    /// CIDR text, e.g. `169.254.0.0/16`.
    public var description: String { "\(address)/\(prefixLength)" }
}
