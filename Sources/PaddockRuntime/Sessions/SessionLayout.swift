/// Where one session's pieces live on the host, under `<data>/sessions/<id>/`:
///
/// ```
/// session.json   the layer keys and environment, to re-adopt the session after a restart
/// disk/          tmpfs of `disk_mb` MiB: the only place the session can write to
///   upper/ work/ the overlay's upper and work directories
///   init.log     stdout and stderr of paddock-init (on the session's disk: bounded)
/// rootfs/        the overlay (layers top first, then the base image, below disk/upper)
/// run/           tmpfs of 1 MiB: the agent socket directory, bound read-write at /.paddock/run
/// bundle/        the OCI bundle (config.json)
/// ```
///
/// Only made from ids that passed ``isValidID(_:)``, so no path ever leaves `<data>/sessions`.
struct SessionLayout: Sendable, Equatable {
    /// The session id.
    let id: String
    /// `<data>/sessions/<id>`.
    let directory: String

    /// Where paddock-init is bound inside the container.
    static let initBinaryPath = "/.paddock/bin/paddock-init"
    /// Where the socket directory is bound inside the container.
    static let runPath = "/.paddock/run"
    /// The size of the socket directory's tmpfs.
    static let runSizeMB = 1
    /// The agent socket's name in the socket directory.
    static let socketName = "agent.sock"
    /// The directory name holding every session below the data directory.
    static let sessionsName = "sessions"

    /// The layout of `id` below the sessions directory `sessions`; nil for an invalid id.
    init?(id: String, sessions: String) {
        guard Self.isValidID(id) else { return nil }
        self.id = id
        directory = "\(sessions)/\(id)"
    }

    var record: String { "\(directory)/session.json" }
    var disk: String { "\(directory)/disk" }
    var upper: String { "\(disk)/upper" }
    var work: String { "\(disk)/work" }
    var rootfs: String { "\(directory)/rootfs" }
    var run: String { "\(directory)/run" }
    var bundle: String { "\(directory)/bundle" }
    var output: String { "\(disk)/init.log" }

    /// A session id usable as directory name, runc container id and hostname: 1–64 of
    /// `A-Z a-z 0-9 _ - .`, not starting with `.` or `-`.
    static func isValidID(_ id: String) -> Bool {
        let allowed = id.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
        return allowed && (1...64).contains(id.utf8.count) && !id.hasPrefix(".") && !id.hasPrefix("-")
    }
}
