import PaddockCore

/// The network seam of ``LocalSessionRuntime``: gives each session its network namespace,
/// resolver configuration and proxy environment according to its ``NetworkingPolicy``, and
/// takes them away again.
///
/// Implementations must be safe to call concurrently for different sessions. `attach` is
/// called once per session before its container is created; `detach` when it ends (also after
/// a failed provisioning, and for ids it may never have seen: it must then do nothing).
public protocol SessionNetworking: Sendable {
    /// Prepares the network of `sessionID` under `policy`.
    func attach(sessionID: String, policy: NetworkingPolicy) async throws(PaddockError) -> SessionNetworkAttachment
    /// Removes everything `attach` made for `sessionID`; idempotent, never fails.
    func detach(sessionID: String) async
    /// After a restart: takes over the network that an earlier run attached for `sessionID`
    /// (whose container still runs) under `policy`, checking that it is still in place and
    /// serving it again. Throws when it cannot be enforced any more; the session must then end.
    func adopt(sessionID: String, policy: NetworkingPolicy) async throws(PaddockError)
    /// After a restart: removes every leftover (namespaces, rules, …) of sessions not in
    /// `keeping` and returns a description of each thing removed.
    func removeLeftovers(keeping: Set<String>) async -> [String]
}

/// What a session's container gets from the network seam.
public struct SessionNetworkAttachment: Sendable, Equatable {
    /// The network namespace the container runs in.
    public var namespace: NetworkNamespace
    /// The whole text of the session's `/etc/resolv.conf`.
    public var resolvConf: String
    /// Variables added to the environment of the container and of every exec
    /// (e.g. `HTTPS_PROXY`).
    public var environment: [String: String]
    /// Files written into the session's root filesystem before it starts: absolute path
    /// inside the session → contents (e.g. the proxy settings of apt, pip, npm and git).
    public var rootFiles: [String: String]

    /// Creates an attachment.
    public init(namespace: NetworkNamespace, resolvConf: String, environment: [String: String] = [:],
                rootFiles: [String: String] = [:]) {
        self.namespace = namespace
        self.resolvConf = resolvConf
        self.environment = environment
        self.rootFiles = rootFiles
    }
}

/// Sessions without any network: a fresh namespace holding only loopback, a resolver file
/// without a nameserver and no proxy variables, whatever the policy. Nothing is made on the
/// host, so there is nothing to remove. For tests of the runtime that need no network;
/// `paddock serve` uses ``HostNetworking``.
public struct IsolatedNetworking: SessionNetworking {
    /// The resolv.conf of an isolated session: comments only, so lookups fail at once.
    public static let resolvConf = "# paddock: this session has no network access; no nameserver is configured\n"

    /// Creates the isolated networking.
    public init() {}

    /// A fresh namespace (loopback only), whatever the policy.
    public func attach(sessionID: String, policy: NetworkingPolicy) async throws(PaddockError) -> SessionNetworkAttachment {
        SessionNetworkAttachment(namespace: .fresh, resolvConf: Self.resolvConf)
    }

    /// Nothing to undo: the namespace dies with the container.
    public func detach(sessionID: String) async {}

    /// Nothing to take over: the namespace lives as long as the container.
    public func adopt(sessionID: String, policy: NetworkingPolicy) async throws(PaddockError) {}

    /// Nothing is ever left behind.
    public func removeLeftovers(keeping: Set<String>) async -> [String] { [] }
}
