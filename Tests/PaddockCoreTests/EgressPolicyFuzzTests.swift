import Testing
@testable import PaddockCore

/// Seeded fuzzing of `EgressPolicy.decide`: never crashes, and its answers agree with the
/// canonical form of the target (canonicalisation is idempotent and decisions do not change).
@Suite("Egress policy fuzzing")
struct EgressPolicyFuzzTests {
    static let pieces = [
        "pypi.org", "PyPI.Org", "files.pythonhosted.org", "x.example.com", "example.com", "169.254.169.254", "0xa9fea9fe",
        "2852039166", "0251.0376.0251.0376", "127.1", "0x7f.0.0.1", "::ffff:", "[", "]", "a9fe:a9fe", "203.0.113.7", "10.1.2.3",
        ".", "..", ":", "443", "*", "-", "_", " ", "ü", "xn--", "bücher", "\u{0}", "\u{202E}", "。", "2001:db8::1", "@", "/", "%", "0x",
    ]

    @Test("random targets never crash and decide like their canonical form")
    func fuzz() {
        var rng = SplitMix64(seed: 0x5EED_E6E5)
        let policies = [EgressPolicyTests.allowlist, EgressPolicyTests.limited, EgressPolicyTests.unrestricted, EgressPolicyTests.empty]
        let ports = [0, 1, 22, 53, 80, 443, 8443, 65535, 65536, -1]
        for _ in 0..<20_000 {
            let count = Int.random(in: 1...5, using: &rng)
            let host = (0..<count).map { _ in Self.pieces.randomElement(using: &rng)! }.joined()
            let port = ports.randomElement(using: &rng)!
            for policy in policies {
                let decision = policy.decide(host: host, port: port)
                guard let canonical = HostPattern.canonicalHost(host) else {
                    #expect(decision == .malformed, "\(host.debugDescription) is not canonical but was not refused as malformed")
                    #expect(!policy.allowsName(host))
                    continue
                }
                #expect(HostPattern.canonicalHost(canonical) == canonical, "canonicalisation of \(host.debugDescription) is not idempotent")
                #expect(policy.decide(host: canonical, port: port) == decision, "\(host.debugDescription) and \(canonical) decide differently")
                #expect(policy.allowsName(canonical) == policy.allowsName(host))
                if decision == nil, let address = IPv4Address.parseLenient(canonical) {
                    #expect(!policy.addresses.isDenied(address), "\(host.debugDescription) allowed to a denied address")
                }
                if canonical.hasPrefix("[") { #expect(decision == .addressDenied || decision == .malformed) }
                if policy.allowsName(host) { #expect(IPv4Address.parseLenient(canonical) == nil) }
            }
        }
    }
}
