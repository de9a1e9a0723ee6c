import Foundation
import PaddockCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The layer builder of one machine: mounts an overlay of the parent layers with the layer's
/// directory as the upper dir, runs each command of the step in a build container (the session
/// hardening through the same runc path, in a network namespace of the build's own that reaches
/// only the package registries — package installs do not follow a session's policy), verifies
/// the pins, unmounts and removes build leftovers.
///
/// Scratch layout (in ``LayerBuildDirectory/scratch``, removed by the store): `work` (overlay
/// work dir), `merged` (the mounted root), `bundle` (`config.json`), `inputs` (the step's input
/// files, bound read-only). No mount outlives `build`, whether it succeeds, fails or is cancelled
/// (cancelling the calling task kills the running build container). `log` is called on a thread
/// of the builder's, one line at a time, as the commands write.
public struct RuncLayerBuilder: LayerBuilding {
    /// Runs the build containers (e.g. `Runc(root: "<data dir>/runc-build")`).
    public let runtime: any ContainerRuntime
    /// The limits of every build container.
    public let resources: ResourceLimits
    /// Build containers' cgroups are made below this path (`<cgroupParent>/<container id>`).
    public let cgroupParent: String
    /// The host file bound read-only at `/etc/resolv.conf` in build containers on the host's network.
    public let resolverConfiguration: String
    /// The builds' network; nil shares the host's (for tests of the builder alone).
    public let network: BuildNetwork?

    /// Where images keep the CA bundle (installed by the base recipe); the CA variables point here.
    public static let caBundlePath = "/etc/ssl/certs/ca-certificates.crt"

    /// The CA variables every build command gets, so TLS-intercepting networks work for every tool.
    public static let caEnvironment: [String: String] = [
        "SSL_CERT_FILE": caBundlePath,
        "REQUESTS_CA_BUNDLE": caBundlePath,
        "PIP_CERT": caBundlePath,
        "NODE_EXTRA_CA_CERTS": caBundlePath,
        "GIT_SSL_CAINFO": caBundlePath,
    ]

    /// 4 GiB of memory, 4096 processes and every CPU of the host.
    public static var defaultResources: ResourceLimits {
        try! ResourceLimits(cpus: Double(max(1, ProcessInfo.processInfo.activeProcessorCount)),
                            memoryMB: 4096, pids: 4096)
    }

    /// Creates a builder running its containers with `runtime`; `cgroupParent` must be an
    /// absolute cgroup path without `..`, `resolverConfiguration` an absolute host path.
    public init(runtime: any ContainerRuntime, resources: ResourceLimits = RuncLayerBuilder.defaultResources,
                cgroupParent: String = "/paddock-build",
                resolverConfiguration: String = "/etc/resolv.conf", network: BuildNetwork? = nil) throws(PaddockError) {
        try ContainerPath.requireAbsolute(cgroupParent, "cgroup_parent")
        try ContainerPath.requireAbsolute(resolverConfiguration, "resolver_configuration")
        self.runtime = runtime
        self.resources = resources
        self.cgroupParent = cgroupParent.count > 1 && cgroupParent.hasSuffix("/")
            ? String(cgroupParent.dropLast()) : cgroupParent
        self.resolverConfiguration = resolverConfiguration
        self.network = network
    }

    /// Builds `step` into `directory` over `lower` (top first, the base image last).
    public func build(_ step: LayerStep, lower: [URL], into directory: LayerBuildDirectory,
                      log: @escaping @Sendable (String) -> Void) async throws {
        guard !lower.isEmpty else {
            throw PaddockError.invalid("lower", "a layer build needs at least the base image below it")
        }
        guard let network else {
            return try await build(step, lower: lower, into: directory, attachment: nil, log: log)
        }
        // A namespace of the build's own, removed again whatever happens.
        let buildID = "build-\(step.key.short)-\(ImageFiles.token().prefix(8))"
        let attachment = try await network.networking.attach(sessionID: buildID, policy: network.policy)
        do {
            try await build(step, lower: lower, into: directory, attachment: attachment, log: log)
        } catch {
            await network.networking.detach(sessionID: buildID)
            throw error
        }
        await network.networking.detach(sessionID: buildID)
    }

    private func build(_ step: LayerStep, lower: [URL], into directory: LayerBuildDirectory,
                       attachment: SessionNetworkAttachment?, log: @escaping @Sendable (String) -> Void) async throws {
        let scratch = directory.scratch.standardizedFileURL.path
        let upper = directory.rootfs.standardizedFileURL.path
        let merged = "\(scratch)/merged"
        for name in ["work", "merged", "bundle", "inputs"] { try ImageFiles.makeDirectory("\(scratch)/\(name)") }
        try Self.copyRootAttributes(from: lower[0].standardizedFileURL.path, to: upper)
        var resolver = resolverConfiguration
        if let attachment {
            resolver = "\(scratch)/resolv.conf"
            guard FileManager.default.createFile(atPath: resolver, contents: Data(attachment.resolvConf.utf8),
                                                 attributes: [.posixPermissions: 0o644]) else {
                throw PaddockError(.internal, "cannot write the build's resolver configuration \(resolver)")
            }
        }
        let binds = try bindMounts(for: step, resolver: resolver, inputsDirectory: "\(scratch)/inputs")

        try Mounts.mountOverlay(at: merged, lower: lower.map { $0.standardizedFileURL.path }, upper: upper,
                                work: "\(scratch)/work")
        var mounted = true
        defer { if mounted { Mounts.unmountAll(under: merged) } }
        let stubs = BuildLeftovers.mountPointStubs(for: binds.map(\.destination), in: merged)
        let container = BuildContainer(
            runtime: runtime, rootfs: merged, bundle: "\(scratch)/bundle",
            idPrefix: "build-\(step.key.short)", cgroupParent: cgroupParent, resources: resources,
            bindMounts: binds,
            environment: Self.caEnvironment
                .merging(attachment.map(BuildNetwork.environment) ?? [:]) { _, proxy in proxy }
                .merging(step.environment) { _, step in step },
            network: attachment?.namespace ?? .host)

        for command in step.commands {
            try await run(command, of: step, in: container, log: log)
        }
        if !step.pins.isEmpty {
            log("# verifying pinned versions: " + step.pins.map { "\($0.name) \($0.version)" }.joined(separator: ", "))
            let checks = try await PinVerification.check(step, in: container, log: log)
            if let failure = PinVerification.failure(checks, step: step) { throw failure }
        }

        // Nothing may write through the overlay while the upper dir is being changed.
        try Mounts.unmount(merged, detach: false)
        mounted = false
        try BuildLeftovers.remove(from: upper, kind: step.kind, stubs: stubs)
    }

    /// Runs one command of `step`, streaming its output to `log`; a non-zero exit throws a
    /// ``LayerBuildError`` quoting the decisive lines.
    private func run(_ command: [String], of step: LayerStep, in container: BuildContainer,
                     log: @escaping @Sendable (String) -> Void) async throws {
        log("+ " + BuildCommandText.render(command))
        let digest = Mutex(BuildOutputDigest(kind: step.kind))
        let status = try await container.run(command) { line in
            log(line.text)
            digest.withLock { $0.append(line.text) }
        }
        guard status == 0 else {
            let quoted = digest.withLock { $0.quotedLines }
            throw LayerBuildError(step: step.name, message: "\(step.name) layer: `\(BuildCommandText.render(command))` "
                + BuildCommandText.outcome(status) + (quoted.isEmpty ? "" : ":\n" + quoted.joined(separator: "\n")))
        }
    }

    /// The resolver configuration, then each input file written to `inputsDirectory` and bound
    /// read-only at its path.
    private func bindMounts(for step: LayerStep, resolver: String, inputsDirectory: String) throws -> [BindMount] {
        var binds = [try BindMount(source: resolver, destination: "/etc/resolv.conf")]
        for (index, input) in step.inputs.enumerated() {
            let source = "\(inputsDirectory)/\(index)"
            guard FileManager.default.createFile(atPath: source, contents: Data(input.contents.utf8),
                                                 attributes: [.posixPermissions: 0o755]) else {
                throw PaddockError(.internal, "cannot write the build input \(source)")
            }
            binds.append(try BindMount(source: source, destination: input.path))
        }
        return binds
    }

    /// Gives the upper dir the owner and mode of the top lower dir: overlayfs shows the upper
    /// root's attributes as `/`, in the build and wherever the layer is stacked later.
    private static func copyRootAttributes(from lower: String, to upper: String) throws(PaddockError) {
        var st = stat()
        guard stat(lower, &st) == 0 else {
            throw PaddockError(.internal, "cannot inspect the lower dir \(lower): \(String(cString: strerror(errno)))")
        }
        guard chown(upper, st.st_uid, st.st_gid) == 0, chmod(upper, st.st_mode & 0o7777) == 0 else {
            throw PaddockError(.internal, "cannot set the attributes of \(upper): \(String(cString: strerror(errno)))")
        }
    }
}
