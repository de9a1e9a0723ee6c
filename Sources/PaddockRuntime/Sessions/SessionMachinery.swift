import Foundation
import PaddockCore

/// The parts every operation of ``LocalSessionRuntime`` works with; immutable and shared by
/// the actor, the provisioning tasks and the exec threads.
struct SessionMachinery: Sendable {
    /// `<data>/sessions`.
    let sessionsDirectory: String
    /// Provides the base image.
    let baseImages: BaseImageBuilder
    /// The layer cache.
    let layers: LayerStore
    /// Fills a missing layer.
    let layerBuilder: any LayerBuilding
    /// Runs the containers.
    let containers: any ContainerRuntime
    /// The host path of paddock-init.
    let initBinary: String
    /// The network seam.
    let networking: any SessionNetworking
    /// The package sources (part of the layer keys).
    let mirrors: MirrorSettings
    /// Where problems without a caller to report to go (clean-up failures).
    let diagnostics: @Sendable (String) -> Void

    /// The layout of session `id`, or nil for an id that cannot be one.
    func layout(_ id: String) -> SessionLayout? {
        SessionLayout(id: id, sessions: sessionsDirectory)
    }

    /// Removes whatever session `layout.id` holds, in order: its container (killed), its
    /// network, its mounts (root filesystem, then disk), its directory, its cgroups. Each part
    /// is attempted even when an earlier one failed. Returns what was removed and the problems.
    func removeSession(_ layout: SessionLayout) async -> (removed: [String], problems: [String]) {
        var removed: [String] = []
        var problems: [String] = []
        do throws(PaddockError) {
            if try await containers.state(id: layout.id) != nil {
                try await containers.delete(id: layout.id, force: true)
                removed.append("container \(layout.id)")
            }
        } catch where error.code != .notFound {
            problems.append(error.message)
        } catch {}
        await networking.detach(sessionID: layout.id)
        let local = await BlockingWork.run { () -> (removed: [String], problems: [String]) in
            var removed: [String] = []
            var problems: [String] = []
            for target in [layout.rootfs, layout.disk] + Mounts.mountPoints(under: layout.directory)
            where Mounts.isMountPoint(target) {
                do throws(PaddockError) {
                    try Mounts.unmount(target)
                    removed.append("mount \(target)")
                } catch {
                    problems.append(error.message)
                }
            }
            if ImageFiles.isDirectory(layout.directory) {
                do throws(PaddockError) {
                    try DirectoryTree.remove(layout.directory)
                    removed.append("directory \(layout.directory)")
                } catch {
                    problems.append(error.message)
                }
            }
            let cgroups = SessionCgroups.remove(id: layout.id)
            return (removed + cgroups.removed, problems + cgroups.problems)
        }
        return (removed + local.removed, problems + local.problems)
    }
}
