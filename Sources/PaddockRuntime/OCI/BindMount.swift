import PaddockCore

/// A host path made visible inside the container (the agent socket directory, the
/// `paddock-init` binary); always `nosuid,nodev`, read-only unless asked otherwise.
public struct BindMount: Sendable, Equatable {
    /// The absolute host path.
    public var source: String
    /// The absolute path inside the container; not `/` and not below `/proc`, `/sys` or `/dev`.
    public var destination: String
    /// Whether the container may write through the mount.
    public var readOnly: Bool

    /// Creates a bind mount, throwing `invalidArgument` for a relative path, a `..` component
    /// or a destination over the root or a kernel filesystem.
    public init(source: String, destination: String, readOnly: Bool = true) throws(PaddockError) {
        try ContainerPath.requireAbsolute(source, "bind_mounts.source")
        try ContainerPath.requireAbsolute(destination, "bind_mounts.destination")
        let reserved = ["/proc", "/sys", "/dev"]
        if destination == "/" || reserved.contains(where: { destination == $0 || destination.hasPrefix($0 + "/") }) {
            throw .invalid("bind_mounts.destination", "\(destination) would cover / or a kernel filesystem")
        }
        self.source = source
        self.destination = destination
        self.readOnly = readOnly
    }

    /// The OCI mount: a non-recursive bind, `nosuid`, `nodev`, plus `ro` when read-only.
    public var ociMount: OCI.Mount {
        OCI.Mount(destination: destination, type: "bind", source: source,
                  options: ["bind", "nosuid", "nodev"] + (readOnly ? ["ro"] : []))
    }
}

/// Path checks shared by the specification types.
enum ContainerPath {
    /// Throws unless `path` is absolute, NUL-free and has no `..` component.
    static func requireAbsolute(_ path: String, _ param: String) throws(PaddockError) {
        guard path.hasPrefix("/") else { throw .invalid(param, "must be an absolute path") }
        if path.utf8.contains(0) { throw .invalid(param, "must not contain NUL bytes") }
        if path.split(separator: "/").contains("..") { throw .invalid(param, "must not contain '..'") }
    }
}
