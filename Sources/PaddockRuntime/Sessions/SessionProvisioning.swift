import Foundation
import PaddockAgentProtocol
import PaddockCore

/// One provisioning of one session: base image, layers, then the container (directories,
/// disk, overlay, network, files, bundle, runc create and start, agent listening). Every
/// piece made is registered for rollback, which runs in reverse order on any failure or on
/// cancellation; the first error is reported, later clean-up failures are logged.
struct SessionProvisioning: Sendable {
    let launch: SessionLaunch
    let layout: SessionLayout
    let machinery: SessionMachinery
    let observer: any ProvisioningObserver

    /// How long paddock-init may take to listen after `runc start`.
    static let agentStartTimeout: Duration = .seconds(15)
    /// Where every image keeps its CA bundle (the host's bundle is added to it at build time).
    static let caBundlePath = "/etc/ssl/certs/ca-certificates.crt"
    /// The variables every session starts with: those that make common tools trust
    /// ``caBundlePath``, and `PIP_BREAK_SYSTEM_PACKAGES=1` so that `pip install` in a session
    /// installs for the system `python3` as the pip layers do (Debian refuses it otherwise, PEP 668),
    /// without pip's warning about running as root (sessions run as root).
    static let sessionEnvironment: [String: String] = [
        "SSL_CERT_FILE": caBundlePath, "REQUESTS_CA_BUNDLE": caBundlePath, "PIP_CERT": caBundlePath,
        "NODE_EXTRA_CA_CERTS": caBundlePath, "GIT_SSL_CAINFO": caBundlePath, "PIP_BREAK_SYSTEM_PACKAGES": "1",
        "PIP_ROOT_USER_ACTION": "ignore",
    ]

    /// The session and what the runtime keeps of it.
    struct Outcome: Sendable {
        let session: RunningSession
        let record: SessionRecord
    }

    /// Provisions the session; throws ``ProvisioningFailure`` or, when cancelled,
    /// `CancellationError`, in both cases after rolling back.
    func run() async throws -> Outcome {
        var progress = ProvisioningProgress(observer: observer)
        var rollback = ProvisioningRollback()
        do {
            let base = try await resolveBase(&progress)
            let layers = try await resolveLayers(base: base, &progress, &rollback)
            try Task.checkCancellation()
            progress.begin("container")
            let record = try await startContainer(base: base, layers: layers, &rollback)
            progress.end(.built)
            return Outcome(session: RunningSession(sessionID: layout.id, steps: progress.steps), record: record)
        } catch {
            let failedStep = progress.fail()
            for problem in await rollback.run() {
                observer.log("clean-up after the failed provisioning: \(problem)")
                machinery.diagnostics("session \(layout.id): clean-up after the failed provisioning: \(problem)")
            }
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            throw ProvisioningFailure(step: failedStep ?? "container", message: Self.message(error), steps: progress.steps)
        }
    }

    // MARK: - Steps

    private func resolveBase(_ progress: inout ProvisioningProgress) async throws -> BaseImage {
        progress.begin("base")
        let present = ImageFiles.isDirectory(machinery.baseImages.imagePath.path)
        let base = try await machinery.baseImages.ensure()
        progress.end(present ? .cached : .built)
        return base
    }

    /// Resolves each planned layer (cache hit, or a build by the layer builder) and pins it;
    /// returns the layers top first.
    private func resolveLayers(base: BaseImage, _ progress: inout ProvisioningProgress,
                               _ rollback: inout ProvisioningRollback) async throws -> [Layer] {
        let plan = LayerPlan.plan(base: base.key, packages: launch.packages, setupScript: launch.setupScript,
                                  mirrors: machinery.mirrors)
        let store = machinery.layers
        var stack: [Layer] = []
        for step in plan {
            try Task.checkCancellation()
            progress.begin(step.name)
            let layer: Layer
            let status: ProvisioningStep.Status
            if let cached = await store.lookup(step.key) {
                layer = cached
                status = .cached
            } else {
                let lower = stack.map(\.path) + [base.path]
                let builder = machinery.layerBuilder
                let observer = observer
                layer = try await store.ensure(step.key) { directory in
                    try await builder.build(step, lower: lower, into: directory, log: { observer.log($0) })
                }
                status = .built
            }
            try await store.pin(layer.key)
            rollback.add { await store.unpin(layer.key); return nil }
            progress.end(status)
            stack.insert(layer, at: 0)
        }
        return stack
    }

    /// Makes the session's directories, disk and overlay, attaches the network, writes the
    /// per-session files, and creates and starts the container; returns once paddock-init
    /// accepts connections.
    private func startContainer(base: BaseImage, layers: [Layer],
                                _ rollback: inout ProvisioningRollback) async throws -> SessionRecord {
        let layout = layout
        let machinery = machinery
        let id = layout.id

        // Directories.
        guard mkdir(layout.directory, 0o700) == 0 else {
            if errno == EEXIST { throw PaddockError(.conflict, "session \(id) already has a directory at \(layout.directory)") }
            throw PaddockError(.internal, "cannot create \(layout.directory): \(String(cString: strerror(errno)))")
        }
        rollback.add {
            await BlockingWork.run { ImageFiles.removeQuietly(layout.directory) }
        }
        for directory in [layout.disk, layout.rootfs, layout.run, layout.bundle] {
            try ImageFiles.makeDirectory(directory)
        }

        // Disk (tmpfs of disk_mb) holding the overlay's upper and work directories.
        try Mounts.mountTmpfs(at: layout.disk, sizeMB: launch.resources.diskMB)
        rollback.add { Self.problem { () throws(PaddockError) in try Mounts.unmount(layout.disk) } }
        try ImageFiles.makeDirectory(layout.upper)
        try ImageFiles.makeDirectory(layout.work)

        // The socket directory is writable from inside: a tiny tmpfs of its own keeps what the
        // session writes there off the host's disk.
        try Mounts.mountTmpfs(at: layout.run, sizeMB: SessionLayout.runSizeMB)
        rollback.add { Self.problem { () throws(PaddockError) in try Mounts.unmount(layout.run) } }

        // Root filesystem.
        try Mounts.mountOverlay(at: layout.rootfs, lower: layers.map(\.path.path) + [base.path.path],
                                upper: layout.upper, work: layout.work)
        rollback.add { Self.problem { () throws(PaddockError) in try Mounts.unmount(layout.rootfs) } }

        // Network (detached again also when attaching fails half-way).
        rollback.add { await machinery.networking.detach(sessionID: id); return nil }
        let attachment = try await machinery.networking.attach(sessionID: id, policy: launch.networking)
        try Task.checkCancellation()

        // Per-session files.
        let files = SessionRootFiles(root: layout.rootfs, sessionID: id)
        let resolvConf = attachment.resolvConf
        let networkFiles = attachment.rootFiles
        try await BlockingWork.run { () throws(PaddockError) in
            try files.makeDirectory(SessionPath("/workspace"))
            try files.write(SessionPath("/etc/hostname"), contents: Array("\(id)\n".utf8), mode: 0o644)
            try files.write(SessionPath("/etc/hosts"), contents: Array(Self.hostsFile(id).utf8), mode: 0o644)
            try files.write(SessionPath("/etc/resolv.conf"), contents: Array(resolvConf.utf8), mode: 0o644)
            for (path, contents) in networkFiles.sorted(by: { $0.key < $1.key }) {
                try files.write(SessionPath(path), contents: Array(contents.utf8), mode: 0o644)
            }
        }

        // Bundle and record.
        let environment = Self.sessionEnvironment
            .merging(launch.environment) { _, new in new }
            .merging(attachment.environment) { _, new in new }
        let specification = try SessionSpecification(
            rootfs: layout.rootfs, hostname: id,
            arguments: [SessionLayout.initBinaryPath, "--socket", "\(SessionLayout.runPath)/\(SessionLayout.socketName)"],
            environment: environment, workingDirectory: "/workspace",
            resources: ResourceLimits(cpus: launch.resources.cpus, memoryMB: launch.resources.memoryMB,
                                      pids: launch.resources.pids),
            bindMounts: [
                BindMount(source: machinery.initBinary, destination: SessionLayout.initBinaryPath, readOnly: true),
                BindMount(source: layout.run, destination: SessionLayout.runPath, readOnly: false),
            ],
            network: attachment.namespace, cgroupsPath: SessionCgroups.path(for: id),
            openFilesLimit: HostLimits.attainableOpenFiles(SessionHardening.openFilesLimit))
        let record = SessionRecord(
            sessionID: id, base: base.key, layers: layers.map(\.key),
            environment: specification.environmentEntries.map { entry in
                let name = entry.prefix { $0 != "=" }
                return (String(name), String(entry.dropFirst(name.count + 1)))
            },
            networking: launch.networking)
        try record.write(to: layout.record)
        try BundleWriter().write(specification.makeSpec(), to: layout.bundle)

        // Container.
        rollback.add {
            var problems: [String] = []
            do throws(PaddockError) {
                try await machinery.containers.delete(id: id, force: true)
            } catch where error.code != .notFound {
                problems.append(error.message)
            } catch {}
            problems += await BlockingWork.run { SessionCgroups.remove(id: id).problems }
            return problems.isEmpty ? nil : problems.joined(separator: "; ")
        }
        try Task.checkCancellation()
        try await machinery.containers.create(id: id, bundle: layout.bundle, output: .file(layout.output))
        try await machinery.containers.start(id: id)
        try await waitForAgent()
        return record
    }

    /// Polls the agent socket until it accepts a connection; fails early when paddock-init
    /// exits, and after ``agentStartTimeout``.
    private func waitForAgent() async throws {
        let pid = try await machinery.containers.state(id: layout.id)?.pid
        let deadline = ContinuousClock.now + Self.agentStartTimeout
        while true {
            try Task.checkCancellation()
            if (try? AgentExecCall.connect(runDirectory: layout.run)) != nil { return }
            if let pid, kill(pid, 0) != 0, errno == ESRCH {
                throw PaddockError(.internal, "paddock-init exited before listening\(outputTail())")
            }
            guard ContinuousClock.now < deadline else {
                throw PaddockError(.internal, "paddock-init did not listen within \(Self.agentStartTimeout)\(outputTail())")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// `: <last lines of init.log>`, or nothing when it is empty.
    private func outputTail() -> String {
        guard let data = FileManager.default.contents(atPath: layout.output) else { return "" }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").suffix(5)
        return lines.isEmpty ? "" : ": " + lines.joined(separator: " | ")
    }

    // MARK: - Helpers

    /// `/etc/hosts` of a session: localhost and its own name.
    static func hostsFile(_ id: String) -> String {
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t\(id)\n"
    }

    /// Runs a clean-up step, returning its failure as text.
    private static func problem(_ body: () throws(PaddockError) -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return error.message
        }
    }

    /// The message of a provisioning error, fit for the session's `error`.
    static func message(_ error: any Error) -> String {
        switch error {
        case let failure as LayerBuildError: failure.message
        case let failure as PaddockError: failure.message
        default: "\(error)"
        }
    }
}
