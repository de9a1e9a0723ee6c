import Foundation

/// The built `paddock` binary running as a separate process (`paddock serve`), for tests that
/// must kill it or talk to it from the CLI.
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

    /// Starts `paddock serve` on a free port over `dataDirectory` and waits until it listens.
    init(dataDirectory: String, arguments extra: [String] = []) throws {
        self.dataDirectory = dataDirectory
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--data", dataDirectory, "--quiet",
                             "--images", Self.sharedImages] + extra
        process.standardError = stderrPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let handle = stderrPipe.fileHandleForReading
        var seen = ""
        while port == 0 {
            let chunk = handle.availableData
            if chunk.isEmpty { throw RawHTTP.Failure(description: "paddock serve exited early: \(seen)") }
            seen += String(decoding: chunk, as: UTF8.self)
            if let range = seen.range(of: #"http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(seen[range].split(separator: ":").last!)!
            }
        }
        // Keep draining stderr so the server never blocks on a full pipe.
        handle.readabilityHandler = { h in _ = h.availableData }
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
}
