import Foundation
import PaddockCore
import Testing
@testable import PaddockRuntime

/// The seccomp allowlist must not break what agents run: the host's python3 and node (bound
/// read-only into the fixture rootfs) exercise threads, subprocesses (`clone3` → `ENOSYS` →
/// `clone` fallback), sockets, randomness, temp files and async file I/O.
@Suite("runc: real runtimes under the session profile", .serialized, .enabled(if: RootfsFixture.canRunContainers))
struct RuncRuntimesTests {
    let fixture: RootfsFixture

    init() throws {
        fixture = try RootfsFixture()
    }

    private func run(_ arguments: [String], binds: [BindMount]) async throws -> ContainerRunResult {
        var specification = try fixture.specification(arguments, pids: 128, memoryMB: 512)
        specification.bindMounts = binds
        try BundleWriter().write(specification.makeSpec(), to: fixture.bundle)
        return try await fixture.runc().run(id: RootfsFixture.containerID(), bundle: fixture.bundle)
    }

    @Test("python3 runs threads, subprocesses, sockets and temp files",
          .enabled(if: FileManager.default.fileExists(atPath: "/usr/lib/python3.11/os.py")))
    func python() async throws {
        let binds = try fixture.hostBinds(programs: ["/usr/bin/python3"], directories: ["/usr/lib/python3.11"])
        let script = """
            import os, socket, subprocess, tempfile, threading
            threads = [threading.Thread(target=os.urandom, args=(16,)) for _ in range(4)]
            [t.start() for t in threads]; [t.join() for t in threads]
            a, b = socket.socketpair(); a.sendall(b"x"); assert b.recv(1) == b"x"
            server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen()
            client = socket.create_connection(server.getsockname()); conn, _ = server.accept()
            client.sendall(b"ping"); assert conn.recv(4) == b"ping"
            with tempfile.TemporaryFile() as f: f.write(b"data")
            uid = subprocess.run(["id", "-u"], capture_output=True, text=True, check=True).stdout.strip()
            print("python ok", uid)
            """
        let result = try await run(["python3", "-c", script], binds: binds)
        #expect(result.stdoutText == "python ok 0\n", "\(result.stderrText)")
        #expect(result.exitCode == 0)
    }

    @Test("node runs child processes, async file I/O and a TCP server",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/node")))
    func node() async throws {
        let binds = try fixture.hostBinds(programs: ["/usr/bin/node"])
        let script = """
            const fs = require('fs'), cp = require('child_process'), net = require('net');
            fs.writeFileSync('/tmp/n', 'y');
            fs.promises.readFile('/tmp/n', 'utf8').then(data => {
              const server = net.createServer(s => s.end('pong')).listen(0, '127.0.0.1', () => {
                net.connect(server.address().port, '127.0.0.1').on('data', d => {
                  console.log('node ok', cp.execFileSync('id', ['-u']).toString().trim(), data, d.toString());
                  server.close();
                });
              });
            });
            """
        let result = try await run(["node", "-e", script], binds: binds)
        #expect(result.stdoutText == "node ok 0 y pong\n", "\(result.stderrText)")
        #expect(result.exitCode == 0)
    }
}
