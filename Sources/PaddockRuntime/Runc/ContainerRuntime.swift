import PaddockCore

/// The seam between Paddock and whatever runs OCI containers: ``Runc`` on one machine; a
/// Kubernetes implementation could sit beside it.
///
/// Ids are 1–128 characters of `A-Z a-z 0-9 _ + - .`, not starting with `-` or `.`. Errors
/// are `notFound` (no such container), `conflict` (exists already, or in the wrong state for the
/// call), `invalidArgument` (a bad id or bundle) or `internal` (the runtime failed; the message
/// carries its error output).
public protocol ContainerRuntime: Sendable {
    /// Creates the container from the bundle's `config.json` without starting its process;
    /// the process's stdin is `/dev/null` and its stdout/stderr go to `output`.
    func create(id: String, bundle: String, output: ContainerOutput) async throws(PaddockError)

    /// Starts the process of a created container.
    func start(id: String) async throws(PaddockError)

    /// The container's state, or `nil` if there is no such container.
    func state(id: String) async throws(PaddockError) -> ContainerState?

    /// Sends `signal` (e.g. `SIGTERM`) to the container's init process.
    func kill(id: String, signal: Int32) async throws(PaddockError)

    /// Removes a stopped container (or, with `force`, kills and removes a running one).
    func delete(id: String, force: Bool) async throws(PaddockError)

    /// Every container this runtime knows.
    func list() async throws(PaddockError) -> [ContainerState]

    /// Runs the bundle's process in the foreground to completion (a build step) and removes
    /// the container; throws only when the process could not be started.
    func run(id: String, bundle: String) async throws(PaddockError) -> ContainerRunResult

    /// Like ``run(id:bundle:)``, but every line of stdout and stderr goes to `onOutput` as it is
    /// written (on a thread of the runtime's) instead of being kept; returns the exit code.
    func run(id: String, bundle: String,
             onOutput: @escaping @Sendable (ContainerOutputLine) -> Void) async throws(PaddockError) -> Int32
}

extension ContainerRuntime {
    /// For runtimes that cannot stream: runs to completion, then delivers stdout's lines and
    /// stderr's lines.
    public func run(id: String, bundle: String,
                    onOutput: @escaping @Sendable (ContainerOutputLine) -> Void) async throws(PaddockError) -> Int32 {
        let result = try await run(id: id, bundle: bundle)
        for (stream, bytes) in [(ContainerOutputStream.stdout, result.stdout), (.stderr, result.stderr)] {
            var splitter = OutputLineSplitter(stream: stream)
            splitter.append(bytes).forEach(onOutput)
            splitter.finish().map(onOutput)
        }
        return result.exitCode
    }

    /// Creates the container with its output discarded.
    public func create(id: String, bundle: String) async throws(PaddockError) {
        try await create(id: id, bundle: bundle, output: .discard)
    }
}

/// Where a detached container's stdout and stderr go.
public enum ContainerOutput: Sendable, Equatable {
    /// `/dev/null`.
    case discard
    /// Appended to the file at this absolute host path (created with mode 0600 if missing);
    /// runc shares the container's stdio, so a failed `create` also leaves its error line here.
    case file(String)
}

/// The lifecycle status of a container, as the OCI runtime spec names it.
public enum ContainerStatus: String, Sendable, Equatable, CaseIterable {
    /// Being created.
    case creating
    /// Created; its process waits for `start`.
    case created
    /// Its process runs.
    case running
    /// Frozen.
    case paused
    /// Its process exited; only `delete` remains.
    case stopped
}

/// What the runtime reports about one container.
public struct ContainerState: Sendable, Equatable {
    /// The container id.
    public var id: String
    /// The lifecycle status.
    public var status: ContainerStatus
    /// The host pid of the init process while it exists (`created`, `running`, `paused`).
    public var pid: Int32?
    /// The bundle directory the container was created from.
    public var bundle: String

    /// Creates a state value.
    public init(id: String, status: ContainerStatus, pid: Int32?, bundle: String) {
        self.id = id
        self.status = status
        self.pid = pid
        self.bundle = bundle
    }
}

/// The outcome of a foreground ``ContainerRuntime/run(id:bundle:)``.
public struct ContainerRunResult: Sendable, Equatable {
    /// The process's exit code; 128 + n when killed by signal n (137 after `SIGKILL` or the
    /// OOM killer).
    public var exitCode: Int32
    /// Everything the process wrote to stdout.
    public var stdout: [UInt8]
    /// Everything the process wrote to stderr.
    public var stderr: [UInt8]

    /// Creates a result.
    public init(exitCode: Int32, stdout: [UInt8], stderr: [UInt8]) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }

    /// stdout decoded as UTF-8 (invalid sequences repaired).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }

    /// stderr decoded as UTF-8 (invalid sequences repaired).
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}
