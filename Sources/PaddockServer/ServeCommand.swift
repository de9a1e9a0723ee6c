import Foundation
import PaddockCore
import PaddockHTTP
import PaddockRuntime
import PaddockStore

/// `paddock serve`: opens the store, creates the first admin key, and serves the API until
/// SIGINT or SIGTERM, then finishes in-flight requests and closes the store cleanly.
public enum ServeCommand {
    /// The settings of `paddock serve`, from flags or `PADDOCK_*` variables.
    public struct Options: Sendable, Equatable {
        /// Address to listen on.
        public var host = "127.0.0.1"
        /// Port to listen on; 0 picks a free one (the log line `listening` says which).
        public var port = 8080
        /// Data directory: the SQLite store and `admin.key`.
        public var dataDirectory = "./data"
        /// HTTP worker threads.
        public var threads = max(2, ProcessInfo.processInfo.activeProcessorCount)
        /// Whether `/metrics` answers clients other than loopback.
        public var metricsPublic = false
        /// Whether each request is logged.
        public var logRequests = true
        /// Where base images are kept; nil means `<data>/images`.
        public var imagesDirectory: String?
        /// The `paddock-init` binary given to every session; nil means the one next to this program.
        public var initBinary: String?
        /// The Debian mirror for the base image and apt layers.
        public var debianMirror = MirrorSettings.defaultDebian
        /// The PyPI index for pip layers.
        public var pypiIndex = MirrorSettings.defaultPypiIndex
        /// The npm registry for npm layers.
        public var npmRegistry = MirrorSettings.defaultNpmRegistry
        /// The CA bundle trusted inside images and sessions.
        public var caBundle = BaseImageBuilder.defaultCABundle
        /// The bound of the layer cache in MiB.
        public var layerCacheMB = 20 * 1024
        /// A directory with `known-safe.txt` and `package-managers.txt` replacing the bundled
        /// network presets; nil means the bundled ones.
        public var presetsDirectory: String?
        /// Private IPv4 ranges sessions may reach despite the always-denied set (`--allow-cidr`),
        /// e.g. a company mirror.
        public var allowCIDRs: [PaddockCore.IPv4Network] = []
        /// The IPv4 range each session's /30 comes from.
        public var sessionPool = HostNetworking.defaultPool
        /// Names this server's objects on the host (nftables table, veths, namespaces) apart from
        /// another server's on the same machine; nil is the standard naming.
        public var networkTag: String?
        /// The `nft` program the firewall is made with.
        public var nft = NetworkTools.standard.nft

        /// The names of the host network objects: `paddock`, `pd…`, `paddock-…`, or with a tag
        /// `paddock_<tag>`, `pd<tag>…`, `paddock-<tag>-…`.
        public var networkNames: NetworkNames {
            guard let networkTag else { return .standard }
            // The tag was checked by parseNetworkTag: 1-3 lower-case letters.
            return try! NetworkNames(table: "paddock_\(networkTag)", interfacePrefix: "pd\(networkTag)",
                                     namespacePrefix: "paddock-\(networkTag)-")
        }

        /// Defaults.
        public init() {}
    }

    static let help = """
    usage: paddock serve [--listen HOST:PORT] [--data DIR] [--threads N] [--metrics-public] [--quiet]

    Start the Paddock API server.

    options:
      --listen HOST:PORT   address to listen on (env PADDOCK_LISTEN; default 127.0.0.1:8080; port 0 = any free port)
      --data DIR           data directory for the SQLite store and admin.key (env PADDOCK_DATA; default ./data)
      --threads N          HTTP worker threads (env PADDOCK_THREADS; default: number of cores, at least 2)
      --metrics-public     serve /metrics to every client, not only loopback (env PADDOCK_METRICS_PUBLIC=1)
      --quiet              do not log one line per request (env PADDOCK_LOG_REQUESTS=0)
      --images DIR         where base images are kept (env PADDOCK_IMAGES; default DIR/images of --data)
      --init-binary PATH   the paddock-init given to sessions (env PADDOCK_INIT_BINARY; default: next to this program)
      --debian-mirror URL  Debian mirror for the base image and apt (env PADDOCK_DEBIAN_MIRROR; default \(MirrorSettings.defaultDebian))
      --pypi-index URL     PyPI index for pip (env PADDOCK_PYPI_INDEX; default \(MirrorSettings.defaultPypiIndex))
      --npm-registry URL   npm registry for npm (env PADDOCK_NPM_REGISTRY; default \(MirrorSettings.defaultNpmRegistry))
      --ca-bundle FILE     CA bundle trusted in images and sessions (env PADDOCK_CA_BUNDLE; default \(BaseImageBuilder.defaultCABundle))
      --layer-cache-mb N   bound of the package layer cache (env PADDOCK_LAYER_CACHE_MB; default 20480)
      --presets DIR        network presets: DIR/known-safe.txt and DIR/package-managers.txt replace the bundled lists (env PADDOCK_PRESETS)
      --allow-cidr CIDR    let sessions reach this private IPv4 range, e.g. a company mirror; repeatable (env PADDOCK_ALLOW_CIDRS, comma-separated)
      --session-pool CIDR  IPv4 range the sessions' /30 networks come from (env PADDOCK_SESSION_POOL; default \(HostNetworking.defaultPool))
      --network-tag TAG    1-3 lower-case letters naming this server's nftables table, veths and namespaces apart from
                           another server's on the same machine (env PADDOCK_NETWORK_TAG; default: none)
      --nft PATH           the nft program of the session firewall (env PADDOCK_NFT; default \(NetworkTools.standard.nft));
                           a session whose firewall cannot be made fails, it never runs unprotected
      -h, --help           show this help

    On first start the admin account is created; its key is printed once on stderr and written to DIR/admin.key.
    """

    /// Parses flags over the environment's `PADDOCK_*` settings.
    public static func parse(_ arguments: [String], environment: [String: String]) throws -> Options {
        var options = Options()
        if let listen = environment["PADDOCK_LISTEN"] { (options.host, options.port) = try parseListen(listen) }
        if let data = environment["PADDOCK_DATA"], !data.isEmpty { options.dataDirectory = data }
        if let threads = environment["PADDOCK_THREADS"] { options.threads = try parseThreads(threads) }
        if environment["PADDOCK_METRICS_PUBLIC"] == "1" { options.metricsPublic = true }
        if environment["PADDOCK_LOG_REQUESTS"] == "0" { options.logRequests = false }
        if let value = environment["PADDOCK_IMAGES"], !value.isEmpty { options.imagesDirectory = value }
        if let value = environment["PADDOCK_INIT_BINARY"], !value.isEmpty { options.initBinary = value }
        if let value = environment["PADDOCK_DEBIAN_MIRROR"], !value.isEmpty { options.debianMirror = value }
        if let value = environment["PADDOCK_PYPI_INDEX"], !value.isEmpty { options.pypiIndex = value }
        if let value = environment["PADDOCK_NPM_REGISTRY"], !value.isEmpty { options.npmRegistry = value }
        if let value = environment["PADDOCK_CA_BUNDLE"], !value.isEmpty { options.caBundle = value }
        if let value = environment["PADDOCK_LAYER_CACHE_MB"] { options.layerCacheMB = try parseCacheSize(value) }
        if let value = environment["PADDOCK_PRESETS"], !value.isEmpty { options.presetsDirectory = value }
        if let value = environment["PADDOCK_ALLOW_CIDRS"] {
            options.allowCIDRs = try value.split(separator: ",").map { try parseCIDR(String($0).trimmingCharacters(in: .whitespaces)) }
        }
        if let value = environment["PADDOCK_SESSION_POOL"], !value.isEmpty { options.sessionPool = try parsePool(value) }
        if let value = environment["PADDOCK_NETWORK_TAG"], !value.isEmpty { options.networkTag = try parseNetworkTag(value) }
        if let value = environment["PADDOCK_NFT"], !value.isEmpty { options.nft = value }
        var givenCIDRs: [PaddockCore.IPv4Network] = []
        var rest = arguments[...]
        while let arg = rest.popFirst() {
            func value() throws -> String {
                guard let v = rest.popFirst() else { throw PaddockError(.invalidArgument, "\(arg) needs a value") }
                return v
            }
            switch arg {
            case "--listen": (options.host, options.port) = try parseListen(value())
            case "--data": options.dataDirectory = try value()
            case "--threads": options.threads = try parseThreads(value())
            case "--metrics-public": options.metricsPublic = true
            case "--quiet": options.logRequests = false
            case "--images": options.imagesDirectory = try value()
            case "--init-binary": options.initBinary = try value()
            case "--debian-mirror": options.debianMirror = try value()
            case "--pypi-index": options.pypiIndex = try value()
            case "--npm-registry": options.npmRegistry = try value()
            case "--ca-bundle": options.caBundle = try value()
            case "--layer-cache-mb": options.layerCacheMB = try parseCacheSize(value())
            case "--presets": options.presetsDirectory = try value()
            case "--allow-cidr": givenCIDRs.append(try parseCIDR(value()))
            case "--session-pool": options.sessionPool = try parsePool(value())
            case "--network-tag": options.networkTag = try parseNetworkTag(value())
            case "--nft": options.nft = try value()
            default: throw PaddockError(.invalidArgument, "unknown option '\(arg)'")
            }
        }
        // Flags replace the variable's list rather than adding to it.
        if !givenCIDRs.isEmpty { options.allowCIDRs = givenCIDRs }
        return options
    }

    /// The ranges `--allow-cidr` may open: private networks (RFC 1918) and CGNAT, where a
    /// company mirror lives. Loopback, link-local (cloud metadata), `0/8`, multicast and the
    /// reserved block stay denied whatever the operator writes (network.md).
    static let openableRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].map {
        try! PaddockCore.IPv4Network.parse($0, param: "range")
    }

    private static func parseCIDR(_ text: String) throws -> PaddockCore.IPv4Network {
        let network = try PaddockCore.IPv4Network.parse(text, param: "--allow-cidr")
        guard openableRanges.contains(where: { $0.contains(network.address) && network.prefixLength >= $0.prefixLength }) else {
            throw PaddockError(.invalidArgument, "--allow-cidr '\(text)' is not inside a private range "
                + "(10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10); loopback, link-local and the other always-denied ranges cannot be opened")
        }
        return network
    }

    private static func parsePool(_ text: String) throws -> String {
        let pool = try PaddockCore.IPv4Network.parse(text, param: "--session-pool")
        guard pool.prefixLength <= SessionLease.prefixLength else {
            throw PaddockError(.invalidArgument, "--session-pool '\(text)' is smaller than one /\(SessionLease.prefixLength); give e.g. 10.203.0.0/16")
        }
        return pool.description
    }

    private static func parseNetworkTag(_ text: String) throws -> String {
        guard (1...3).contains(text.utf8.count), text.utf8.allSatisfy({ (0x61...0x7A).contains($0) }) else {
            throw PaddockError(.invalidArgument, "--network-tag '\(text)' must be 1 to 3 lower-case letters, e.g. 'b'")
        }
        return text
    }

    private static func parseListen(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw PaddockError(.invalidArgument, "--listen '\(text)' is not HOST:PORT; write e.g. 127.0.0.1:8080")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    private static func parseThreads(_ text: String) throws -> Int {
        guard let n = Int(text), (1...256).contains(n) else {
            throw PaddockError(.invalidArgument, "--threads '\(text)' must be an integer from 1 to 256")
        }
        return n
    }

    private static func parseCacheSize(_ text: String) throws -> Int {
        guard let n = Int(text), n >= 0 else {
            throw PaddockError(.invalidArgument, "--layer-cache-mb '\(text)' must be a non-negative integer (MiB)")
        }
        return n
    }

    /// Runs the server; returns the process exit code.
    public static func main(_ arguments: [String]) async -> Int32 {
        if arguments.contains("--help") || arguments.contains("-h") {
            print(help)
            return 0
        }
        let options: Options
        do {
            options = try parse(arguments, environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\nsee 'paddock serve --help'\n".utf8))
            return 2
        }
        do {
            try await run(options)
            return 0
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            return 1
        }
    }

    static func run(_ options: Options) async throws {
        let log = RequestLog()
        HostLimits.raiseOpenFilesToHardLimit()
        let presets = try PresetFiles.load(directory: options.presetsDirectory)
        try FileManager.default.createDirectory(atPath: options.dataDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let store = try PaddockStore(path: options.dataDirectory + "/paddock.db")
        let egressLog = PaddockAPI.makeEgressLog(store: store)
        let backend = try SessionRuntimeFactory.local(options, egressLog: egressLog, presets: presets.presets)
        let api = PaddockAPI(store: store, sessions: backend, logRequests: options.logRequests,
                             metricsFromLoopbackOnly: !options.metricsPublic, presets: presets, egressLog: egressLog)
        if let key = try await api.bootstrapAdminKey() {
            try AdminKeyFile.write(key, dataDirectory: options.dataDirectory)
            FileHandle.standardError.write(Data("""
            Created the admin account. Its API key (shown once; also saved to \(options.dataDirectory)/admin.key):
            \(key)

            """.utf8))
        }

        // Handlers first: a SIGTERM that arrives once `listening` is logged must stop us cleanly.
        let shutdown = ShutdownSignal.install([SIGINT, SIGTERM])
        signal(SIGPIPE, SIG_IGN)

        try await api.startSessions()
        let server = api.httpServer(host: options.host, port: options.port, threads: options.threads)
        try server.start()
        let shownHost = options.host.contains(":") ? "[\(options.host)]" : options.host
        log.event("listening", [("url", .string("http://\(shownHost):\(server.port)")), ("data", .string(options.dataDirectory))])

        let signal = await shutdown.wait()
        log.event("shutting down", [("signal", .number(.init(Int(signal))))])
        await server.shutdown()
        await api.stopSessions()
        await store.close()
        log.event("stopped")
    }
}

/// SIGINT/SIGTERM as an awaitable event. The handler only writes the signal number to a pipe
/// (async-signal-safe, whichever thread the kernel picks); a thread of our own reads it.
enum ShutdownSignal {
    /// The pipe (read end, write end), made on first use, before any handler can run.
    private static let pipeFDs: (read: Int32, write: Int32) = {
        var fds: [Int32] = [-1, -1]
        pipe(&fds)
        return (fds[0], fds[1])
    }()

    /// Installs the handlers; call once, before the server starts.
    static func install(_ signals: [Int32]) -> ShutdownSignal.Waiter {
        let fds = pipeFDs
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in
            var byte = UInt8(truncatingIfNeeded: number)
            _ = Glibc.write(ShutdownSignal.pipeFDs.write, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        for number in signals { sigaction(number, &action, nil) }
        return Waiter(fd: fds.read)
    }

    /// Waits for the first signal.
    struct Waiter: Sendable {
        let fd: Int32

        func wait() async -> Int32 {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    var byte: UInt8 = 0
                    while Glibc.read(fd, &byte, 1) < 0 && errno == EINTR {}
                    continuation.resume(returning: Int32(byte))
                }
            }
        }
    }
}

/// The admin key file in the data directory, readable by its owner only.
public enum AdminKeyFile {
    /// Writes the key with mode 0600.
    public static func write(_ key: String, dataDirectory: String) throws {
        let path = dataDirectory + "/admin.key"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PaddockError(.internal, "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        fchmod(fd, 0o600)
        let bytes = Array((key + "\n").utf8)
        guard Foundation.write(fd, bytes, bytes.count) == bytes.count, fsync(fd) == 0 else {
            throw PaddockError(.internal, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
