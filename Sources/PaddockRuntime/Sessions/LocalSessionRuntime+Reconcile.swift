import PaddockCore

extension LocalSessionRuntime {
    /// After a restart (call it once, before provisioning anything): adopts each session of
    /// `live` whose container runs and whose root filesystem is still mounted (its layers are
    /// pinned again from `session.json`) and whose network the seam can take over, and removes
    /// everything else of this data directory:
    /// containers in the runtime's state, session directories and their mounts, their cgroups,
    /// and the network seam's leftovers. Sessions of `live` that could not be adopted are
    /// cleaned too and reported as `lost`.
    public func reconcile(live: Set<String>) async -> ReconcileReport {
        var report = ReconcileReport()
        let containers: [ContainerState]
        do {
            containers = try await machinery.containers.list()
        } catch {
            machinery.diagnostics("reconcile: cannot list containers: \(error.message)")
            containers = []
        }
        let running = Set(containers.filter { $0.status == .running }.map(\.id))
        let directories = ImageFiles.names(in: machinery.sessionsDirectory).filter(SessionLayout.isValidID)

        for id in live.sorted() {
            if sessions[id] != nil {
                report.adopted.insert(id)
                continue
            }
            guard let layout = machinery.layout(id), running.contains(id), Mounts.isMountPoint(layout.rootfs),
                  let record = SessionRecord.read(from: layout.record), record.sessionID == id else { continue }
            do {
                try await machinery.networking.adopt(sessionID: id, policy: record.networking)
            } catch {
                // Its policy cannot be enforced any more: the session is not adopted (fail closed).
                machinery.diagnostics("reconcile: session \(id) cannot be adopted: \(error.message)")
                continue
            }
            for key in record.layers {
                do {
                    try await machinery.layers.pin(key)
                } catch {
                    machinery.diagnostics("reconcile: session \(id) keeps running on layer \(key.short), which left the cache: \(error.message)")
                }
            }
            sessions[id] = record
            report.adopted.insert(id)
        }

        let busy = Set(provisioning.keys).union(terminating.keys)
        var leftovers = Set(containers.map(\.id)).union(directories).union(live)
        leftovers.formUnion(sessions.keys.filter { !live.contains($0) })
        leftovers.subtract(report.adopted)
        leftovers.subtract(busy)
        for id in leftovers.sorted() {
            guard let layout = machinery.layout(id) else { continue }
            let pinned = sessions.removeValue(forKey: id)?.layers ?? []
            let outcome = await machinery.removeSession(layout)
            report.removed += outcome.removed
            for problem in outcome.problems { machinery.diagnostics("reconcile: session \(id): \(problem)") }
            for key in pinned { await machinery.layers.unpin(key) }
        }
        report.removed += await machinery.networking.removeLeftovers(keeping: report.adopted.union(busy))
        report.lost = live.subtracting(report.adopted)
        return report
    }
}
