import Testing
@testable import PaddockCore

/// The decisions of `EgressPolicy`: host/pattern/port → allowed or the deny reason.
@Suite("Egress policy decisions")
struct EgressPolicyTests {
    static let presets = try! NetworkPresets.parse(knownSafe: "github.com\n*.githubusercontent.com\n",
                                                   packageManagers: "pypi.org\nfiles.pythonhosted.org\n", version: "test-1")

    static func policy(_ networking: NetworkingPolicy, allowed: [String] = []) -> EgressPolicy {
        let networks = allowed.map { try! IPv4Network.parse($0, param: "allow") }
        return EgressPolicy(networking, presets: presets, addresses: AddressPolicy(allowed: networks))
    }

    static func patterns(_ texts: [String]) -> [HostPattern] { texts.map { try! HostPattern($0) } }

    static let allowlist = policy(.allowlist(domains: patterns([
        "pypi.org", "files.pythonhosted.org", "*.example.com", "git.example.org:22", "203.0.113.7", "198.51.100.0/24", "10.1.2.3",
    ])))
    static let limited = policy(.limited(allowPackageManagers: false, allowedHosts: patterns(["docs.rs"])))
    static let limitedWithManagers = policy(.limited(allowPackageManagers: true, allowedHosts: []))
    static let unrestricted = policy(.unrestricted)
    static let empty = policy(.allowlist(domains: []))

    static func named(_ name: String) -> EgressPolicy {
        switch name {
        case "allowlist": allowlist
        case "limited": limited
        case "limited+pm": limitedWithManagers
        case "unrestricted": unrestricted
        default: empty
        }
    }

    @Test("decisions", arguments: [
        // allowlist: exact names, wildcards, ports
        ("allowlist", "pypi.org", 443, nil),
        ("allowlist", "PyPI.org.", 80, nil),
        ("allowlist", "pypi.org", 22, EgressDenyReason.portNotAllowed),
        ("allowlist", "pypi.org", 8443, .portNotAllowed),
        ("allowlist", "www.pypi.org", 443, .hostNotAllowed),
        ("allowlist", "evilpypi.org", 443, .hostNotAllowed),
        ("allowlist", "pypi.org.evil.tld", 443, .hostNotAllowed),
        ("allowlist", "deb.debian.org", 443, .hostNotAllowed),
        ("allowlist", "a.example.com", 443, nil),
        ("allowlist", "a.b.example.com", 80, nil),
        ("allowlist", "example.com", 443, .hostNotAllowed),
        ("allowlist", "git.example.org", 22, nil),
        ("allowlist", "git.example.org", 443, .portNotAllowed),
        // allowlist: IP entries match addresses in any spelling; never names
        ("allowlist", "203.0.113.7", 443, nil),
        ("allowlist", "3405803783", 443, nil),
        ("allowlist", "203.0.113.8", 443, .hostNotAllowed),
        ("allowlist", "198.51.100.200", 80, nil),
        ("allowlist", "198.51.100.200", 22, .portNotAllowed),
        ("allowlist", "[::ffff:203.0.113.7]", 443, nil),
        // the always-denied set wins over an entry, in every spelling
        ("allowlist", "10.1.2.3", 443, .addressDenied),
        ("allowlist", "169.254.169.254", 80, .addressDenied),
        ("allowlist", "2852039166", 80, .addressDenied),
        ("allowlist", "0251.0376.0251.0376", 80, .addressDenied),
        ("allowlist", "0xa9fea9fe", 80, .addressDenied),
        ("allowlist", "[::ffff:169.254.169.254]", 443, .addressDenied),
        ("allowlist", "::ffff:a9fe:a9fe", 443, .addressDenied),
        ("allowlist", "127.0.0.1", 443, .addressDenied),
        ("allowlist", "2130706433", 443, .addressDenied),
        ("allowlist", "0x7f.1", 443, .addressDenied),
        ("allowlist", "[2001:db8::1]", 443, .addressDenied),
        // malformed targets and ports
        ("allowlist", "", 443, .malformed),
        ("allowlist", "pypi.org", 0, .malformed),
        ("allowlist", "pypi.org", 65536, .malformed),
        ("allowlist", "a b.org", 443, .malformed),
        ("allowlist", "http://pypi.org", 443, .malformed),
        ("allowlist", "pypi.org:443", 443, .malformed),
        ("allowlist", "a_b.example.com", 443, .malformed),
        // limited: known-safe + allowed_hosts, package managers only when asked
        ("limited", "github.com", 443, nil),
        ("limited", "raw.githubusercontent.com", 443, nil),
        ("limited", "docs.rs", 80, nil),
        ("limited", "pypi.org", 443, .hostNotAllowed),
        ("limited", "github.com", 22, .portNotAllowed),
        ("limited", "1.1.1.1", 443, .hostNotAllowed),
        ("limited+pm", "pypi.org", 443, nil),
        ("limited+pm", "files.pythonhosted.org", 80, nil),
        ("limited+pm", "docs.rs", 443, .hostNotAllowed),
        // unrestricted: any host, any port, but never the denied set
        ("unrestricted", "deb.debian.org", 443, nil),
        ("unrestricted", "example.net", 22, nil),
        // …except DNS, which goes only to the session's own responder (as the kernel rule says)
        ("unrestricted", "1.1.1.1", 53, .portNotAllowed),
        ("unrestricted", "dns.example.net", 53, .portNotAllowed),
        ("unrestricted", "dns.example.net", 853, nil),
        ("unrestricted", "169.254.169.254", 80, .addressDenied),
        ("unrestricted", "0x7f000001", 8080, .addressDenied),
        ("unrestricted", "[2606:4700::1111]", 443, .addressDenied),
        // an empty allowlist allows nothing
        ("empty", "pypi.org", 443, .hostNotAllowed),
        ("empty", "1.1.1.1", 443, .hostNotAllowed),
    ] as [(String, String, Int, EgressDenyReason?)])
    func decide(policy: String, host: String, port: Int, expected: EgressDenyReason?) {
        #expect(Self.named(policy).decide(host: host, port: port) == expected, "\(policy): \(host):\(port)")
    }

    @Test("an operator range opens a private address for an IP entry")
    func operatorRange() {
        let policy = Self.policy(.allowlist(domains: Self.patterns(["10.1.2.3"])), allowed: ["10.1.2.0/24"])
        #expect(policy.decide(host: "10.1.2.3", port: 443) == nil)
        #expect(policy.decide(host: "10.1.2.4", port: 443) == .hostNotAllowed)
        #expect(policy.decide(host: "10.1.3.1", port: 443) == .addressDenied)
    }

    @Test("DNS answers only names the policy allows", arguments: [
        ("allowlist", "pypi.org", true),
        ("allowlist", "PYPI.ORG.", true),
        ("allowlist", "git.example.org", true),
        ("allowlist", "x.example.com", true),
        ("allowlist", "example.com", false),
        ("allowlist", "deb.debian.org", false),
        ("allowlist", "203.0.113.7", false),
        ("allowlist", "a_b.example.com", false),
        ("limited", "github.com", true),
        ("limited", "pypi.org", false),
        ("limited+pm", "pypi.org", true),
        ("unrestricted", "anything.example", true),
        ("unrestricted", "1.2.3.4", false),
        ("empty", "pypi.org", false),
    ])
    func allowsName(policy: String, host: String, expected: Bool) {
        #expect(Self.named(policy).allowsName(host) == expected, "\(policy): \(host)")
    }

    @Test("the summary names the policy and its entries")
    func summary() {
        let two = Self.policy(.allowlist(domains: Self.patterns(["pypi.org", "files.pythonhosted.org"])))
        #expect(two.summary == "allowlist [pypi.org, files.pythonhosted.org]")
        #expect(Self.empty.summary == "allowlist []")
        #expect(Self.unrestricted.summary == "unrestricted")
        #expect(Self.limited.summary == "limited [known-safe services, docs.rs]")
        #expect(Self.limitedWithManagers.summary == "limited [known-safe services, package managers]")
        let many = Self.policy(.allowlist(domains: Self.patterns((1...12).map { "h\($0).example.com" })))
        #expect(many.summary.hasSuffix("h8.example.com, +4 more]"))
    }
}
