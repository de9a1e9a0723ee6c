import Foundation
import PaddockCore
import PaddockJSON

/// ``ContainerRuntime`` backed by the `runc` binary: every call is one `runc` process with an
/// argv array, its state kept under ``root``.
///
/// Always uses the cgroupfs driver (`--systemd-cgroup=false`): the hosts have a hybrid cgroup
/// layout and no systemd to talk to. Errors come from runc's JSON log (`--log-format json`), so
/// messages are runc's own sentences, prefixed with the command and the container id.
public struct Runc: ContainerRuntime {
    /// runc's state directory (`--root`); one directory per container lives below it.
    public let root: String
    /// The runc binary.
    public let executable: String

    /// A driver keeping its state in `root` (e.g. `<data dir>/runc`); both paths absolute.
    public init(root: String, executable: String = "/usr/sbin/runc") throws(PaddockError) {
        try ContainerPath.requireAbsolute(root, "runc.root")
        try ContainerPath.requireAbsolute(executable, "runc.executable")
        self.root = root
        self.executable = executable
    }

    /// The global flags of every invocation.
    private var globalArguments: [String] {
        ["--root", root, "--systemd-cgroup=false", "--log-format", "json"]
    }

    /// Creates the container detached: no terminal, stdin `/dev/null`, output as given.
    public func create(id: String, bundle: String, output: ContainerOutput) async throws(PaddockError) {
        try Self.requireID(id)
        try Self.requireBundle(bundle)
        let sink: RuncInvocation.Sink = switch output {
        case .discard: .discard
        case .file(let path): .file(path)
        }
        try await withLogFile { log throws(PaddockError) in
            let outcome = try await RuncInvocation(
                executable: executable,
                arguments: globalArguments + ["--log", log, "create", "--bundle", bundle, id],
                stdout: sink, stderr: sink
            ).run()
            if outcome.status != 0 {
                throw Self.error("create", id, Self.errorMessages(Self.read(log)))
            }
        }
    }

    /// Starts the created container's process.
    public func start(id: String) async throws(PaddockError) {
        try await invoke("start", id, ["start", id])
    }

    /// Reads `runc state`; `nil` when runc does not know the id.
    public func state(id: String) async throws(PaddockError) -> ContainerState? {
        try Self.requireID(id)
        let outcome = try await RuncInvocation(executable: executable, arguments: globalArguments + ["state", id]).run()
        guard outcome.status == 0 else {
            let error = Self.error("state", id, Self.errorMessages(outcome.stderr))
            if error.code == .notFound { return nil }
            throw error
        }
        return try Self.decodeState(outcome.stdout, command: "state")
    }

    /// Sends `signal` to the container's init process.
    public func kill(id: String, signal: Int32) async throws(PaddockError) {
        guard (1...64).contains(signal) else { throw .invalid("signal", "must be between 1 and 64") }
        try await invoke("kill", id, ["kill", id, String(signal)])
    }

    /// Deletes the container and its state directory.
    public func delete(id: String, force: Bool) async throws(PaddockError) {
        try await invoke("delete", id, ["delete"] + (force ? ["--force"] : []) + [id])
    }

    /// Lists the containers under ``root``.
    public func list() async throws(PaddockError) -> [ContainerState] {
        let outcome = try await RuncInvocation(
            executable: executable, arguments: globalArguments + ["list", "--format", "json"]
        ).run()
        guard outcome.status == 0 else {
            throw PaddockError(.internal, "runc list: \(Self.errorMessages(outcome.stderr))")
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(outcome.stdout)
        } catch {
            throw PaddockError(.internal, "runc list: unreadable output: \(error)")
        }
        if document.isNull { return [] }
        guard let entries = document.arrayValue else {
            throw PaddockError(.internal, "runc list: expected a json array")
        }
        return try entries.map { entry throws(PaddockError) in try Self.state(from: entry, command: "list") }
    }

    /// Runs the container in the foreground with stdout and stderr captured; runc removes it
    /// when its process exits.
    public func run(id: String, bundle: String) async throws(PaddockError) -> ContainerRunResult {
        try Self.requireID(id)
        try Self.requireBundle(bundle)
        return try await withLogFile { log throws(PaddockError) in
            let outcome = try await RuncInvocation(
                executable: executable,
                arguments: globalArguments + ["--log", log, "run", "--bundle", bundle, id]
            ).run()
            if outcome.status != 0 {
                let messages = Self.errorMessages(Self.read(log), fallback: false)
                if !messages.isEmpty { throw Self.error("run", id, messages) }
            }
            return ContainerRunResult(exitCode: outcome.status, stdout: outcome.stdout, stderr: outcome.stderr)
        }
    }

    /// Runs the container in the foreground, handing each output line to `onOutput` as it is
    /// written; runc removes the container when its process exits.
    public func run(id: String, bundle: String,
                    onOutput: @escaping @Sendable (ContainerOutputLine) -> Void) async throws(PaddockError) -> Int32 {
        try Self.requireID(id)
        try Self.requireBundle(bundle)
        return try await withLogFile { log throws(PaddockError) in
            let outcome = try await RuncInvocation(
                executable: executable,
                arguments: globalArguments + ["--log", log, "run", "--bundle", bundle, id],
                onLine: onOutput
            ).run()
            if outcome.status != 0 {
                let messages = Self.errorMessages(Self.read(log), fallback: false)
                if !messages.isEmpty { throw Self.error("run", id, messages) }
            }
            return outcome.status
        }
    }

    // MARK: - Plumbing

    /// Runs `runc <arguments>` for `id` and throws runc's error when it fails.
    private func invoke(_ command: String, _ id: String, _ arguments: [String]) async throws(PaddockError) {
        try Self.requireID(id)
        let outcome = try await RuncInvocation(executable: executable, arguments: globalArguments + arguments).run()
        guard outcome.status == 0 else { throw Self.error(command, id, Self.errorMessages(outcome.stderr)) }
    }

    /// Calls `body` with the path of a fresh log file and removes the file afterwards.
    private func withLogFile<T>(
        _ body: (String) async throws(PaddockError) -> T
    ) async throws(PaddockError) -> T {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("paddock-runc-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }

    private static func read(_ path: String) -> [UInt8] {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
    }

    /// The `msg` of each error-level line of a JSON log; the raw text when none parse (unless
    /// `fallback` is off).
    static func errorMessages(_ log: [UInt8], fallback: Bool = true) -> String {
        var messages: [String] = []
        for line in log.split(separator: UInt8(ascii: "\n")) {
            guard let entry = try? JSONParser.parse(line),
                  let level = entry["level"]?.stringValue, level == "error" || level == "fatal",
                  let message = entry["msg"]?.stringValue else { continue }
            messages.append(message)
        }
        if messages.isEmpty && fallback {
            let text = String(decoding: log, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? "runc failed without a message" : text
        }
        return messages.joined(separator: "; ")
    }

    /// Maps runc's message to an error code: unknown id → `notFound`, duplicate id or wrong
    /// state → `conflict`, anything else → `internal`.
    static func error(_ command: String, _ id: String, _ message: String) -> PaddockError {
        let conflicts = ["already exists", "not running", "not stopped", "already running", "cannot start", "not paused"]
        let code: PaddockError.Code =
            if message.contains("does not exist") { .notFound }
            else if conflicts.contains(where: message.contains) { .conflict }
            else { .internal }
        return PaddockError(code, "runc \(command) \(id): \(message)")
    }

    private static func decodeState(_ bytes: [UInt8], command: String) throws(PaddockError) -> ContainerState {
        do {
            return try state(from: JSONParser.parse(bytes), command: command)
        } catch let error as PaddockError {
            throw error
        } catch {
            throw PaddockError(.internal, "runc \(command): unreadable output: \(error)")
        }
    }

    /// A ``ContainerState`` from one object of `runc state` or `runc list`.
    private static func state(from value: JSONValue, command: String) throws(PaddockError) -> ContainerState {
        guard let id = value["id"]?.stringValue,
              let statusName = value["status"]?.stringValue,
              let status = ContainerStatus(rawValue: statusName) else {
            throw PaddockError(.internal, "runc \(command): a container without id or known status: \(value)")
        }
        let pid = value["pid"]?.numberValue?.intValue.flatMap { $0 > 0 ? Int32(exactly: $0) : nil }
        return ContainerState(id: id, status: status, pid: pid, bundle: value["bundle"]?.stringValue ?? "")
    }

    /// runc's id rule (`^[\w+.-]+$`, not `.` or `..`), without a leading `-` or `.` so that no
    /// id can read as a flag or a hidden path; at most 128 characters.
    static func requireID(_ id: String) throws(PaddockError) {
        let valid = id.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: ".")
        }
        guard valid, (1...128).contains(id.utf8.count), !id.hasPrefix("-"), !id.hasPrefix(".") else {
            throw .invalid("container_id", "'\(id)' must be 1-128 of letters, digits, '_', '+', '-', '.'")
        }
    }

    private static func requireBundle(_ bundle: String) throws(PaddockError) {
        try ContainerPath.requireAbsolute(bundle, "bundle")
        guard FileManager.default.fileExists(atPath: bundle + "/config.json") else {
            throw .invalid("bundle", "\(bundle) has no config.json")
        }
    }
}
