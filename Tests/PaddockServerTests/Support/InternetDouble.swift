import Foundation
import PaddockTestSupport

/// A stand-in for "some host on the internet" that tests control: a network namespace of its
/// own, joined to the host by a veth pair, with the address 198.51.100.202 (TEST-NET-2, not in
/// any always-denied range, so sessions judge it like a public address) on a /30 — narrower
/// than any /24 of TEST-NET-2 someone else may route on this machine, so its route wins. Inside it a Python
/// process answers on every port a bypass might try — TCP 22 and 8443 (greets and closes),
/// UDP 443 and 9999 (echoes), DNS on UDP 53 (answers every name with 198.51.100.202) — and logs
/// each contact, so a test can tell "blocked" from "nobody answered": an `unrestricted`
/// session reaches it, a gateway-only session must leave no line in its log.
///
/// Traffic stays on this machine: the namespace is the only place these packets can go.
final class InternetDouble: @unchecked Sendable {
    /// Its address.
    static let address = "198.51.100.202"
    /// The host's end of the link.
    static let hostAddress = "198.51.100.201"

    let namespace: String
    let hostInterface: String
    let logPath: String
    private let server = Process()

    /// Makes the namespace and link and starts the listeners; throws when `ip` fails.
    init() throws {
        let tag = String(UUID().uuidString.prefix(6)).lowercased()
        namespace = "paddock-test-inet-\(tag)"
        hostInterface = "ptinet\(tag)"
        logPath = NSTemporaryDirectory() + "/paddock-inet-\(tag).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let peer = "ptpeer\(tag)"
        try Self.ip(["netns", "add", namespace])
        try Self.ip(["link", "add", hostInterface, "type", "veth", "peer", "name", peer])
        try Self.ip(["link", "set", peer, "netns", namespace])
        try Self.ip(["addr", "add", "\(Self.hostAddress)/30", "dev", hostInterface])
        try Self.ip(["link", "set", hostInterface, "up"])
        try Self.ip(["-n", namespace, "addr", "add", "\(Self.address)/30", "dev", peer])
        try Self.ip(["-n", namespace, "link", "set", peer, "up"])
        try Self.ip(["-n", namespace, "link", "set", "lo", "up"])
        server.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        server.arguments = ["netns", "exec", namespace, "/usr/bin/python3", "-u", "-c", Self.script, logPath]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        // Ready once it has logged that it listens.
        for _ in 0..<200 where !log.contains("listening") { usleep(25_000) }
    }

    /// Every contact logged so far, one per line (`tcp 22 <peer>`, `udp 443 <peer>`, `dns <name> <peer>`).
    var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// The contacts logged, without the `listening` line.
    var contacts: [String] {
        log.split(separator: "\n").map(String.init).filter { $0 != "listening" }
    }

    /// Stops the listeners and removes the namespace and link.
    func remove() {
        // waitpid, not waitUntilExit: this runs in an atexit handler, where Foundation's run
        // loop never sees the exit.
        let pid = server.processIdentifier
        if pid > 0, kill(pid, SIGKILL) == 0 {
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
        try? Self.ip(["link", "delete", hostInterface])
        try? Self.ip(["netns", "delete", namespace])
        try? FileManager.default.removeItem(atPath: logPath)
    }

    private static func ip(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: PipeReading.readAll(errors.fileHandleForReading), as: UTF8.self)
            throw RawHTTP.Failure(description: "ip \(arguments.joined(separator: " ")) failed: \(text)")
        }
    }

    /// The listeners (Python, run with the log path as its argument).
    static let script = #"""
    import socket, sys, threading
    log_path = sys.argv[1]
    lock = threading.Lock()
    def log(line):
        with lock:
            with open(log_path, "a") as f:
                f.write(line + "\n")

    def bound(kind, port):
        s = socket.socket(socket.AF_INET, kind)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", port))
        if kind == socket.SOCK_STREAM:
            s.listen(64)
        return s

    def tcp(s, port):
        while True:
            c, peer = s.accept()
            log(f"tcp {port} {peer[0]}")
            try:
                c.sendall(b"hello from the internet double\n")
            finally:
                c.close()

    def udp_echo(s, port):
        while True:
            data, peer = s.recvfrom(2048)
            log(f"udp {port} {peer[0]}")
            s.sendto(data, peer)

    def dns(s, port):
        while True:
            data, peer = s.recvfrom(2048)
            labels, i = [], 12
            while i < len(data) and data[i] != 0:
                n = data[i]; labels.append(data[i + 1:i + 1 + n].decode("ascii", "replace")); i += n + 1
            log(f"dns {'.'.join(labels)} {peer[0]}")
            question = data[12:i + 5]
            answer = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + bytes([198, 51, 100, 202])
            s.sendto(data[:2] + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" + question + answer, peer)

    services = [(tcp, socket.SOCK_STREAM, 22), (tcp, socket.SOCK_STREAM, 8443),
                (udp_echo, socket.SOCK_DGRAM, 443), (udp_echo, socket.SOCK_DGRAM, 9999), (dns, socket.SOCK_DGRAM, 53)]
    for serve, kind, port in services:
        threading.Thread(target=serve, args=(bound(kind, port), port), daemon=True).start()
    log("listening")
    threading.Event().wait()
    """#
}
