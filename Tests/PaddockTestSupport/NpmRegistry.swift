import Foundation
import Synchronization

/// A package the local registry serves: `package.json` is made from the fields given, plus the
/// files (relative path → text; paths under `bin/` are made executable).
public struct NpmTestPackage: Sendable {
    public var name: String
    public var version: String
    public var main: String
    public var bin: [String: String]
    public var files: [String: String]

    /// A package of `files`, with `bin` commands (name → path) and `main` as its entry point.
    public init(name: String, version: String, main: String = "index.js", bin: [String: String] = [:], files: [String: String]) {
        self.name = name
        self.version = version
        self.main = main
        self.bin = bin
        self.files = files
    }

    /// `left-pad@1.3.0` (a function) and `@paddock-test/hello@1.0.0` (a scoped package with a
    /// `paddock-hello` command printing `hello from paddock`).
    public static let samples = [
        NpmTestPackage(name: "left-pad", version: "1.3.0", files: [
            "index.js": "module.exports = (s, n, c) => String(c ?? ' ').repeat(Math.max(0, n - String(s).length)) + s;\n",
        ]),
        NpmTestPackage(name: "@paddock-test/hello", version: "1.0.0", bin: ["paddock-hello": "bin/hello.js"], files: [
            "index.js": "module.exports = () => 'hello from paddock';\n",
            "bin/hello.js": "#!/usr/bin/env node\nconsole.log(require('..')());\n",
        ]),
    ]

    /// The `package.json` text.
    var manifest: String {
        var fields = [
            "\"name\": \"\(name)\"", "\"version\": \"\(version)\"", "\"main\": \"\(main)\"",
            "\"license\": \"MIT\"",
        ]
        if !bin.isEmpty {
            let entries = bin.keys.sorted().map { "\"\($0)\": \"\(bin[$0]!)\"" }
            fields.append("\"bin\": {\(entries.joined(separator: ", "))}")
        }
        return "{\(fields.joined(separator: ", "))}\n"
    }
}

/// An npm registry on 127.0.0.1 serving the given packages (see ``NpmRegistryScript``), run as a
/// child `/usr/bin/python3` process in `directory`; ``stop()`` ends it.
public final class NpmRegistry: Sendable {
    /// The registry URL, e.g. `http://127.0.0.1:40123/`.
    public let url: String
    private let process: Process
    private let requestLog: RequestLines

    /// Writes the packages below `directory`, starts the server and waits until it listens.
    public init(packages: [NpmTestPackage], directory: String) async throws {
        let files = FileManager.default
        let packagesDirectory = "\(directory)/npm-packages"
        try files.createDirectory(atPath: packagesDirectory, withIntermediateDirectories: true)
        for (index, package) in packages.enumerated() {
            let root = "\(packagesDirectory)/\(index)"
            try files.createDirectory(atPath: root, withIntermediateDirectories: true)
            try package.manifest.write(toFile: "\(root)/package.json", atomically: true, encoding: .utf8)
            for (relative, text) in package.files {
                let path = "\(root)/\(relative)"
                try files.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                          withIntermediateDirectories: true)
                try text.write(toFile: path, atomically: true, encoding: .utf8)
                if relative.hasPrefix("bin/") { chmod(path, 0o755) }
            }
        }
        let script = "\(directory)/npm-registry.py"
        try NpmRegistryScript.source.write(toFile: script, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-u", script, packagesDirectory]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()

        let requestLog = RequestLines()
        let logReader = stderr.fileHandleForReading
        Thread.detachNewThread {
            var partial = ""
            while true {
                let chunk = PipeReading.readChunk(logReader)
                if chunk.isEmpty { break }
                partial += String(decoding: chunk, as: UTF8.self)
                while let newline = partial.firstIndex(of: "\n") {
                    requestLog.append(String(partial[..<newline]))
                    partial = String(partial[partial.index(after: newline)...])
                }
            }
        }
        let reader = stdout.fileHandleForReading
        let firstLine: String = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var text = ""
                while !text.contains("\n") {
                    let chunk = PipeReading.readChunk(reader)
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                }
                continuation.resume(returning: text)
            }
        }
        guard firstLine.hasPrefix("PORT "),
              let port = Int(firstLine.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            let log = requestLog.text
            throw NpmRegistryError(message: "the test registry did not start: \(firstLine) \(log)")
        }
        self.url = "http://127.0.0.1:\(port)/"
        self.process = process
        self.requestLog = requestLog
    }

    /// What the registry served so far, one `GET <path> <status>` line per request.
    public var requests: String { requestLog.text }

    /// Ends the server process (with SIGKILL: a child of the test process may inherit a signal
    /// mask that blocks SIGTERM).
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// The registry could not be started.
public struct NpmRegistryError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// The request lines the registry printed, collected from its reader thread.
final class RequestLines: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}
