import PaddockAgentProtocol
import PaddockCore

/// The seam between the sessions service and whatever runs sessions: ``LocalSessionRuntime``
/// (overlayfs + runc + paddock-init on this machine); a Kubernetes implementation could sit
/// beside it (runtime.md, "Growing past one machine").
///
/// Every method is keyed by the session id (`sess_…`, also the container id and hostname).
/// Errors are `PaddockError`s: `notFound` when the runtime holds no such session,
/// `invalidArgument` for a bad path or request (with `param`), `internal` when the OS failed.
public protocol SessionRuntime: Sendable {
    /// Resolves (building when not cached) every layer of `launch` and starts the container.
    /// Progress (steps and log lines) goes to `observer` as it happens. On failure everything
    /// made so far is removed again and a ``ProvisioningFailure`` is thrown; cancelling the
    /// calling task cancels provisioning the same way.
    func provision(_ launch: SessionLaunch, observer: any ProvisioningObserver) async throws -> RunningSession

    /// Runs one command in a running session. Output events go to `onEvent` as they arrive
    /// (on a thread of the runtime's); returns the exit report. `stdin` is sent and closed.
    func exec(sessionID: String, request: ExecRequest, stdin: [UInt8],
              onEvent: @escaping @Sendable (AgentEvent) -> Void) async throws(PaddockError) -> ExecExit

    /// Reads a regular file inside the session (at most `limit` bytes, else `tooLarge`).
    func readFile(sessionID: String, path: SessionPath, limit: Int) async throws(PaddockError) -> [UInt8]

    /// Writes a regular file inside the session, creating missing parent directories;
    /// `mode` defaults to 0644.
    func writeFile(sessionID: String, path: SessionPath, contents: [UInt8], mode: UInt32?) async throws(PaddockError)

    /// Lists a directory inside the session, sorted by name.
    func listDirectory(sessionID: String, path: SessionPath) async throws(PaddockError) -> [SessionFileEntry]

    /// Stops the container and removes everything the session held (container, cgroup,
    /// mounts, network, directories). Idempotent: an unknown or already stopped session is fine.
    func terminate(sessionID: String) async

    /// Whether the session's container is still running (false after OOM of init or a crash).
    func isAlive(sessionID: String) async -> Bool

    /// After a restart: keeps the sessions in `live` whose containers still run (returning
    /// them) and removes every leftover (containers, mounts, cgroups, directories, network)
    /// that belongs to no session in `live` or whose container is gone.
    func reconcile(live: Set<String>) async -> ReconcileReport
}

/// What a session is made from: the snapshot of its environment plus the session's own settings.
public struct SessionLaunch: Sendable {
    /// The session id (`sess_…`).
    public var sessionID: String
    /// The environment's packages (snapshot at creation).
    public var packages: PackageLists
    /// The environment's setup script, if any.
    public var setupScript: String?
    /// The environment's networking policy (applied by the network seam).
    public var networking: NetworkingPolicy
    /// CPU, memory, pids and disk limits.
    public var resources: SessionResources
    /// Extra environment variables for every exec (the environment's + the session's).
    public var environment: [String: String]

    /// Creates a launch description.
    public init(sessionID: String, packages: PackageLists, setupScript: String?, networking: NetworkingPolicy,
                resources: SessionResources, environment: [String: String]) {
        self.sessionID = sessionID
        self.packages = packages
        self.setupScript = setupScript
        self.networking = networking
        self.resources = resources
        self.environment = environment
    }
}

/// A session's resource limits as the API states them (`resources` in api.md).
public struct SessionResources: Sendable, Equatable {
    /// CPUs worth of time, e.g. 2 or 0.5.
    public var cpus: Double
    /// Memory limit in MiB (no swap).
    public var memoryMB: Int
    /// Maximum processes and threads.
    public var pids: Int
    /// Size of the writable layer in MiB.
    public var diskMB: Int

    /// Creates resource limits (validated by the API layer).
    public init(cpus: Double, memoryMB: Int, pids: Int, diskMB: Int) {
        self.cpus = cpus
        self.memoryMB = memoryMB
        self.pids = pids
        self.diskMB = diskMB
    }
}

/// A started session.
public struct RunningSession: Sendable, Equatable {
    /// The session id.
    public var sessionID: String
    /// The steps of provisioning, in order (`base`, then the layers).
    public var steps: [ProvisioningStep]

    /// Creates the value.
    public init(sessionID: String, steps: [ProvisioningStep]) {
        self.sessionID = sessionID
        self.steps = steps
    }
}

/// One step of provisioning as `provisioning.steps` shows it.
public struct ProvisioningStep: Sendable, Equatable {
    /// How a step ended (or that it is under way).
    public enum Status: String, Sendable {
        /// Under way.
        case running
        /// Found in the cache; no work done.
        case cached
        /// Built now.
        case built
        /// Failed; the session failed with it.
        case failed
    }

    /// `base`, `apt`, `npm`, `pip`, `setup` or `container`.
    public var name: String
    /// Its status.
    public var status: Status
    /// How long it took (0 for a cache hit).
    public var durationMs: Int

    /// Creates a step.
    public init(name: String, status: Status, durationMs: Int) {
        self.name = name
        self.status = status
        self.durationMs = durationMs
    }
}

/// Receives provisioning progress; called from any task, must be cheap and thread-safe.
public protocol ProvisioningObserver: Sendable {
    /// A step began or ended (the same name is reported again with its final status).
    func step(_ step: ProvisioningStep)
    /// A line of the provisioning log (no trailing newline).
    func log(_ line: String)
}

/// Why provisioning failed: the step and a message fit for the session's `error`
/// (e.g. the pip error line naming the requirement).
public struct ProvisioningFailure: Error, Sendable, Equatable {
    /// The failed step's name.
    public var step: String
    /// A sentence naming what failed, ending with the decisive lines of the tool's output.
    public var message: String
    /// The steps as far as they got (the last one `failed`).
    public var steps: [ProvisioningStep]

    /// Creates a failure.
    public init(step: String, message: String, steps: [ProvisioningStep]) {
        self.step = step
        self.message = message
        self.steps = steps
    }
}

/// An absolute path inside a session, validated: absolute, no NUL, no `..` component that
/// could leave the root (resolution is still confined by the runtime, this is the API check).
public struct SessionPath: Sendable, Hashable {
    /// The normalised path, e.g. `/workspace/a.txt`.
    public let value: String
    /// Its components, without empty ones and `.`.
    public var components: [String] { value.split(separator: "/").map(String.init) }

    /// Validates `raw` for the query parameter `param`.
    public init(_ raw: String, param: String = "path") throws(PaddockError) {
        guard raw.hasPrefix("/") else { throw .invalid(param, "must be an absolute path such as /workspace/file.txt") }
        guard !raw.utf8.contains(0) else { throw .invalid(param, "must not contain NUL bytes") }
        guard raw.utf8.count <= 4096 else { throw .invalid(param, "must be at most 4096 bytes") }
        let parts = raw.split(separator: "/").filter { $0 != "." }
        if parts.contains("..") { throw .invalid(param, "must not contain '..'; give the absolute path inside the session") }
        value = "/" + parts.joined(separator: "/")
    }
}

/// One entry of a directory listing.
public struct SessionFileEntry: Sendable, Equatable {
    /// The kind of entry (not following symlinks).
    public enum Kind: String, Sendable {
        case file, directory, symlink, other
    }
    /// The entry's name.
    public var name: String
    /// Its kind.
    public var kind: Kind
    /// Size in bytes (for files; 0 otherwise).
    public var size: Int64
    /// Permission bits, e.g. 0o644.
    public var mode: UInt32

    /// Creates an entry.
    public init(name: String, kind: Kind, size: Int64, mode: UInt32) {
        self.name = name
        self.kind = kind
        self.size = size
        self.mode = mode
    }
}

/// What ``SessionRuntime/reconcile(live:)`` found.
public struct ReconcileReport: Sendable, Equatable {
    /// Sessions from `live` whose containers run and that the runtime serves again.
    public var adopted: Set<String>
    /// Sessions from `live` whose containers are gone (now cleaned up).
    public var lost: Set<String>
    /// Descriptions of leftovers removed (e.g. `container sess_…`, `mount …`).
    public var removed: [String]

    /// Creates a report.
    public init(adopted: Set<String> = [], lost: Set<String> = [], removed: [String] = []) {
        self.adopted = adopted
        self.lost = lost
        self.removed = removed
    }
}
