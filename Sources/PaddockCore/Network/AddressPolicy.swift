/// The addresses no session may reach, whatever its policy (network.md, "Always denied"):
/// the fixed special-purpose ranges, plus the session pool and the host's own addresses given
/// by the server, minus the ranges the operator opened with `--allow-cidr`. All IPv6 is denied.
///
/// Precedence: an `extraDenied` range (the pool, the host) is denied even inside an operator
/// range; otherwise an operator range opens whatever it covers of the fixed set.
public struct AddressPolicy: Sendable, Hashable {
    /// The fixed always-denied ranges: this network, loopback, link-local (cloud metadata),
    /// RFC 1918, CGNAT, multicast and the reserved `240/4` (which includes broadcast).
    public static let alwaysDenied: [IPv4Network] = [
        ("0.0.0.0", 8), ("127.0.0.0", 8), ("169.254.0.0", 16), ("10.0.0.0", 8), ("172.16.0.0", 12),
        ("192.168.0.0", 16), ("100.64.0.0", 10), ("224.0.0.0", 4), ("240.0.0.0", 4),
    ].map { IPv4Network(IPv4Address($0.0)!, prefixLength: $0.1) }

    /// Ranges denied in addition to the fixed set, and even inside an operator range: the
    /// session pool and the host's own addresses.
    public let extraDenied: [IPv4Network]
    /// Operator-opened ranges (`--allow-cidr`), e.g. a company mirror in `10.1.2.0/24`.
    public let allowed: [IPv4Network]
    /// The exact address and port of each package mirror the operator configured (Debian, PyPI,
    /// npm): reachable even on loopback or a private network, where mirrors often are, and only
    /// on that port. The host patterns of a policy must still allow them.
    public let mirrors: Set<Endpoint>

    /// An IPv4 address and a TCP port.
    public struct Endpoint: Sendable, Hashable {
        public let address: IPv4Address
        public let port: Int

        public init(address: IPv4Address, port: Int) {
            self.address = address
            self.port = port
        }
    }

    /// Creates the policy from the server's extra denied ranges, the operator's allowed ones
    /// and the package mirrors' endpoints.
    public init(extraDenied: [IPv4Network] = [], allowed: [IPv4Network] = [], mirrors: Set<Endpoint> = []) {
        self.extraDenied = extraDenied
        self.allowed = allowed
        self.mirrors = mirrors
    }

    /// Whether no session may connect to `address` on `port`: as ``isDenied(_:)-(IPv4Address)``,
    /// except that a package mirror's own endpoint is always reachable.
    public func isDenied(_ address: IPv4Address, port: Int) -> Bool {
        if mirrors.contains(Endpoint(address: address, port: port)) { return false }
        return isDenied(address)
    }

    /// Whether no session may connect to `address`.
    public func isDenied(_ address: IPv4Address) -> Bool {
        if extraDenied.contains(where: { $0.contains(address) }) { return true }
        if allowed.contains(where: { $0.contains(address) }) { return false }
        return Self.alwaysDenied.contains { $0.contains(address) }
    }

    /// Whether no session may connect to `address`: an IPv4-mapped address is judged as the IPv4
    /// address it carries; every other IPv6 address is denied (IPv6 is off in sessions).
    public func isDenied(_ address: IPv6Address) -> Bool {
        guard let v4 = address.ipv4Mapped else { return true }
        return isDenied(v4)
    }
}
