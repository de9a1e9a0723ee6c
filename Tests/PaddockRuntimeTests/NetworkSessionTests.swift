import Foundation
import Glibc
import PaddockCore
import Testing
@testable import PaddockRuntime

/// Real sessions (runc) on ``HostNetworking``: what a workload sees of its network and of the
/// proxy settings, and that the network goes away with the session.
@Suite("network: sessions on host networking", .serialized,
       .enabled(if: NetworkTestHost.isAvailable && SessionTestBed.canRunSessions))
struct NetworkSessionTests {
    /// Connects with bash's /dev/tcp inside the session; prints `open` or `closed`.
    static let probe = "timeout 3 bash -c 'exec 3<>/dev/tcp/$0/$1' \"$1\" \"$2\" 2>/dev/null && echo open || echo closed"

    func withNetworkedBed(_ body: (SessionTestBed, HostNetworking, NetworkTestHost) async throws -> Void) async throws {
        try await NetworkTestHost.with { networking, _, setup in
            try await withSessionTestBed(networking: networking) { bed in try await body(bed, networking, setup) }
        }
    }

    func provision(_ bed: SessionTestBed, policy: NetworkingPolicy) async throws -> String {
        var launch = bed.launch()
        launch.networking = policy
        _ = try await bed.runtime.provision(launch, observer: RecordingObserver())
        return launch.sessionID
    }

    func probe(_ bed: SessionTestBed, _ id: String, _ address: IPv4Address, _ port: Int) async throws -> String {
        try await bed.run(id, ["bash", "-c", Self.probe, "probe", "\(address)", "\(port)"]).text
    }

    @Test("a limited session: eth0 and resolver on its /30, proxy variables and files its tools accept, only the gateway reachable")
    func limitedSession() async throws {
        try await withNetworkedBed { bed, networking, setup in
            let id = try await provision(bed, policy: .limited(allowPackageManagers: true, allowedHosts: []))
            let lease = try #require(await networking.lease(of: id))
            let proxy = "http://\(lease.gateway):3128"

            #expect(try await bed.run(id, ["cat", "/etc/resolv.conf"]).text == "nameserver \(lease.gateway)\noptions ndots:0\n")
            #expect(try await bed.run(id, ["cat", "/proc/net/if_inet6"]).text.isEmpty)
            #expect(try await bed.run(id, ["ls", "/sys/class/net"]).text.split(separator: "\n").sorted() == ["eth0", "lo"])
            let environment = try await bed.run(id, ["env"]).text
            #expect(environment.contains("HTTPS_PROXY=\(proxy)\n") && environment.contains("NODE_USE_ENV_PROXY=1\n"))

            let npm = try await bed.run(id, ["npm", "config", "get", "https-proxy"])
            #expect(npm.text == proxy + "\n" && npm.errorText.isEmpty)
            let npmVersion = try await bed.run(id, ["npm", "--version"])
            #expect(npmVersion.exit.exitCode == 0 && npmVersion.errorText.isEmpty)
            let pip = try await bed.run(id, ["pip", "config", "list"])
            #expect(pip.text.contains("global.proxy='\(proxy)'") && pip.errorText.isEmpty)
            let pipVersion = try await bed.run(id, ["pip", "--version"])
            #expect(pipVersion.exit.exitCode == 0 && pipVersion.errorText.isEmpty)
            #expect(try await bed.run(id, ["git", "config", "--get", "http.proxy"]).text == proxy + "\n")
            let apt = try await bed.run(id, ["apt-config", "dump"])
            #expect(apt.text.contains("Acquire::http::Proxy \"\(proxy)\";") && apt.text.contains("Acquire::https::Proxy \"\(proxy)\";"))
            #expect(apt.errorText.isEmpty)

            let listener = try await SocketProbe.listen(on: lease.gateway, port: EgressPorts.proxy)
            let hostService = try await SocketProbe.listen(on: IPv4Address(0), port: 0)
            let servicePort = SocketProbe.localPort(hostService)
            defer { close(listener); close(hostService) }
            #expect(try await probe(bed, id, lease.gateway, EgressPorts.proxy) == "open\n")
            #expect(try await probe(bed, id, lease.gateway, servicePort) == "closed\n")
            if let host = NetworkTestHost.hostAddress { #expect(try await probe(bed, id, host, servicePort) == "closed\n") }

            await bed.runtime.terminate(sessionID: id)
            let names = setup.names.session(id)
            #expect(!FileManager.default.fileExists(atPath: names.namespacePath))
            #expect(!SessionLinks.interfaceExists(names.hostInterface))
            #expect(await setup.chainText(names.chain) == nil)
            #expect(await networking.lease(of: id) == nil)
        }
    }

    @Test("an unrestricted session has no proxy settings and cannot reach the metadata address or the host")
    func unrestrictedSession() async throws {
        try await withNetworkedBed { bed, networking, setup in
            let id = try await provision(bed, policy: .unrestricted)
            let lease = try #require(await networking.lease(of: id))
            let environment = try await bed.run(id, ["env"]).text
            #expect(!environment.lowercased().contains("proxy"))
            #expect(try await bed.run(id, ["test", "-e", "/etc/pip.conf"]).exit.exitCode == 1)
            let hostService = try await SocketProbe.listen(on: IPv4Address(0), port: 0)
            let servicePort = SocketProbe.localPort(hostService)
            defer { close(hostService) }
            #expect(try await probe(bed, id, lease.gateway, servicePort) == "closed\n")
            #expect(try await probe(bed, id, IPv4Address("169.254.169.254")!, 80) == "closed\n")
            await bed.runtime.terminate(sessionID: id)
            #expect(await networking.lease(of: id) == nil)
        }
    }
}
