import Foundation
import PaddockCore
import Synchronization

/// Runs argv commands, one foreground container each, over a mounted build root filesystem:
/// the session hardening, the build's network and resolver, generous limits, the step's input
/// files bound read-only. Each run gets a fresh container id and cgroup; cancelling the calling
/// task kills the container.
struct BuildContainer: Sendable {
    /// Runs the containers.
    let runtime: any ContainerRuntime
    /// The mounted overlay the containers use as their root.
    let rootfs: String
    /// Where `config.json` is written before each run.
    let bundle: String
    /// The container ids start with this (`build-<key short>`).
    let idPrefix: String
    /// Cgroups are made below this path, one per run.
    let cgroupParent: String
    /// The containers' limits.
    let resources: ResourceLimits
    /// Host paths made visible inside (resolver configuration, input files).
    let bindMounts: [BindMount]
    /// Environment variables of every command (beyond the defaults).
    let environment: [String: String]
    /// The build's network namespace (the host's when the builder has no ``BuildNetwork``).
    let network: NetworkNamespace

    /// Runs `argv` to completion, handing every output line to `onOutput`; returns its exit
    /// status. Throws `CancellationError` when the task was cancelled (the container is killed)
    /// and `PaddockError` when runc could not run the container at all.
    func run(_ argv: [String], extraEnvironment: [String: String] = [:],
             onOutput: @escaping @Sendable (ContainerOutputLine) -> Void) async throws -> Int32 {
        try Task.checkCancellation()
        let id = "\(idPrefix)-\(ImageFiles.token().prefix(10))"
        let specification = try SessionSpecification(
            rootfs: rootfs, hostname: "paddock-build", arguments: argv,
            environment: environment.merging(extraEnvironment) { _, extra in extra },
            workingDirectory: "/", resources: resources, bindMounts: bindMounts, network: network,
            cgroupsPath: "\(cgroupParent)/\(id)",
            openFilesLimit: HostLimits.attainableOpenFiles(SessionHardening.openFilesLimit))
        try BundleWriter().write(specification.makeSpec(), to: bundle)

        let finished = CompletionFlag()
        let runtime = self.runtime
        let bundle = self.bundle
        let status: Int32
        do {
            status = try await withTaskCancellationHandler {
                defer { finished.set() }
                return try await runtime.run(id: id, bundle: bundle, onOutput: onOutput)
            } onCancel: {
                // The container may not exist yet when the cancellation arrives: keep killing
                // until the foreground run has returned.
                Task.detached {
                    while !finished.isSet {
                        try? await runtime.kill(id: id, signal: SIGKILL)
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                }
            }
        } catch {
            // Whatever runc said about a container killed for a cancellation, the cause is that.
            if Task.isCancelled { throw CancellationError() }
            throw error
        }
        try Task.checkCancellation()
        return status
    }
}

/// A flag one side sets once and the other polls.
private final class CompletionFlag: Sendable {
    private let state = Mutex(false)

    /// Whether ``set()`` was called.
    var isSet: Bool { state.withLock { $0 } }

    /// Raises the flag.
    func set() { state.withLock { $0 = true } }
}
