import Foundation
import PaddockTestSupport
import Synchronization

/// The built `paddock` binary running as a separate process (`paddock serve`), for tests that
/// must kill it or talk to it from the CLI.
///
/// Each data directory gets a network of its own (`--network-tag`, `--session-pool`), so that
/// servers running side by side never touch each other's namespaces, veths or nftables table;
/// a server started again on the same directory gets the same one (and adopts its sessions).
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let dataDirectory: String
    private(set) var port = 0
    private let stderrPipe = Pipe()

    /// The `paddock` executable next to the test bundle (or `PADDOCK_BINARY`).
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["PADDOCK_BINARY"] { return path }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if dir.pathExtension == "xctest" || dir.lastPathComponent.hasSuffix(".xctest") { dir.deleteLastPathComponent() }
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("paddock").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return FileManager.default.currentDirectoryPath + "/.build/debug/paddock"
    }

    /// The base image cache shared by every test server (built once, ~80 s, by whichever test
    /// needs it first; later runs reuse it).
    static let sharedImages = "/var/cache/paddock-test/images"

    /// The network a test server on one data directory uses.
    struct Network: Sendable {
        /// `--network-tag`: three letters.
        let tag: String
        /// `--session-pool`: a /24 of 10.214.0.0/16.
        let pool: String
        /// The nftables table the server makes.
        var table: String { "paddock_\(tag)" }
    }

    private static let networks = Mutex((next: Int.random(in: 0..<256), byDirectory: [String: Network]()))

    /// The network of the servers on `dataDirectory`: the same for every server started on it.
    static func network(for dataDirectory: String) -> Network {
        networks.withLock { state in
            if let known = state.byDirectory[dataDirectory] { return known }
            let number = state.next
            state.next += 1
            let letters = Array("abcdefghijklmnopqrstuvwxyz")
            let tag = String([letters[(number / 676) % 26], letters[(number / 26) % 26], letters[number % 26]])
            let network = Network(tag: tag, pool: "10.214.\(number % 256).0/24")
            state.byDirectory[dataDirectory] = network
            return network
        }
    }

    /// This server's network.
    var network: Network { Self.network(for: dataDirectory) }

    /// Starts `paddock serve` on a free port over `dataDirectory` and waits until it listens.
    init(dataDirectory: String, arguments extra: [String] = []) throws {
        self.dataDirectory = dataDirectory
        let network = Self.network(for: dataDirectory)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--data", dataDirectory, "--quiet",
                             "--images", Self.sharedImages, "--network-tag", network.tag, "--session-pool", network.pool] + extra
        process.standardError = stderrPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let handle = stderrPipe.fileHandleForReading
        var seen = ""
        while port == 0 {
            let chunk = PipeReading.readChunk(handle)
            if chunk.isEmpty { throw RawHTTP.Failure(description: "paddock serve exited early: \(seen)") }
            seen += String(decoding: chunk, as: UTF8.self)
            if let range = seen.range(of: #""url":"http://[0-9.]+:(\d+)"#, options: .regularExpression) {
                port = Int(seen[range].split(separator: ":").last!)!
            }
        }
        // Keep draining stderr so the server never blocks on a full pipe.
        handle.readabilityHandler = { h in _ = PipeReading.readChunk(h) }
    }

    /// The admin key the server wrote.
    var adminKey: String {
        (try? String(contentsOfFile: dataDirectory + "/admin.key", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// `kill -9`.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        stderrPipe.fileHandleForReading.readabilityHandler = nil
    }

    /// SIGTERM and wait; returns the exit status.
    func terminate() -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        stderrPipe.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    /// For good: deletes every session, stops the server, removes its nftables table (kept by
    /// a server that stops, for the next one to adopt) and its data directory. Safe in an
    /// `atexit` handler: it waits with `waitpid`, not Foundation's run loop.
    func finish() {
        SessionEndToEndTests.deleteAllSessions(port: port, key: adminKey)
        let pid = process.processIdentifier
        if kill(pid, SIGTERM) == 0 {
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
        Self.removeNetwork(of: dataDirectory)
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Removes the nftables table of the servers on `dataDirectory`, if there is one.
    static func removeNetwork(of dataDirectory: String) {
        let nft = Process()
        nft.executableURL = URL(fileURLWithPath: "/usr/sbin/nft")
        nft.arguments = ["delete", "table", "inet", network(for: dataDirectory).table]
        nft.standardError = FileHandle.nullDevice
        guard (try? nft.run()) != nil else { return }
        var status: Int32 = 0
        _ = waitpid(nft.processIdentifier, &status, 0)
    }
}
