import Foundation
import PaddockJSON
import PaddockTestSupport
import Testing

/// Package layers are built in containers with a network of their own that reaches only the
/// package registries (runtime.md), through the same namespaces, firewall and egress gateway
/// as sessions: a mirror the operator configured is reachable even on the host's loopback, the
/// rest of the host and the metadata address are not.
@Suite("build containers reach only the package registries (root, runc, nftables, egress gateway)", .serialized)
struct BuildNetworkEndToEndTests {
    @Test("npm installs from a local registry on the host's loopback through the build's proxy; a setup script reaches the registries and nothing else")
    func buildNetwork() async throws {
        let directory = try TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registry = try await NpmRegistry(packages: NpmTestPackage.samples, directory: directory)
        defer { registry.stop() }
        let server = try ServerProcess(dataDirectory: directory + "/data", arguments: ["--npm-registry", registry.url])
        defer { server.finish() }
        let client = APICall(port: server.port, key: server.adminKey)

        // Each probe records the URL and the HTTP status curl saw (000: no answer at all).
        let targets = ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:\(server.port)/healthz",
                       "https://deb.debian.org/debian/", "https://pypi.org/simple/six/", "https://example.com/"]
        let script = targets.map { target in
            "echo \"\(target) $(curl -s -o /dev/null -m 15 -w '%{http_code}' '\(target)' || true)\" >> /etc/build-probe\n"
        }.joined()
        let created = try await client.call("POST", "/v1/environments", [
            "name": "build-net",
            "config": ["type": "cloud", "packages": ["npm": ["left-pad@1.3.0", "@paddock-test/hello@1.0.0"]],
                       "setup_script": .string(script)],
        ])
        #expect(created.status == 201, "\(created.text)")
        let session = try await client.call("POST", "/v1/sessions", ["environment": "build-net", "wait": true])
        #expect(session["status"] == "running", "\(session.text)")
        #expect(SessionEndToEndTests.steps(session) == ["base": "cached", "npm": "built", "setup": "built", "container": "built"])
        let id = try #require(session["id"]?.stringValue)
        defer { Task { _ = try? await client.call("DELETE", "/v1/sessions/\(id)") } }
        #expect(registry.requests.contains("GET /@paddock-test%2fhello 200"), "requests: \(registry.requests)")

        let handle = SessionHandle(id: id, client: client)
        #expect(try await handle.run(["paddock-hello"]).stdout == "hello from paddock\n")
        #expect(try await handle.run(["node", "-e", "console.log(require('/usr/local/lib/node_modules/left-pad')('7', 3, '0'))"])
            .stdout == "007\n")
        let probes = try await handle.run(["cat", "/etc/build-probe"]).stdout
        var status: [String: String] = [:]
        for line in probes.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2 { status[String(parts[0])] = String(parts[1]) }
        }
        #expect(status[targets[0]] == "403", "metadata: \(probes)")
        #expect(status[targets[1]] == "403", "the host's API: \(probes)")
        #expect(status[targets[2]] == "200", "Debian's mirror: \(probes)")
        #expect(status[targets[3]] == "200", "PyPI: \(probes)")
        #expect(status[targets[4]] != "200" && status[targets[4]] != nil, "another host: \(probes)")
        // The session (unrestricted) got none of the build's proxy settings.
        #expect(try await handle.run(["sh", "-c", "env | grep -ci proxy || true"]).stdout == "0\n")
    }
}
