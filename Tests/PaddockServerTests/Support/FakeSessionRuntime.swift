import Foundation
import PaddockAgentProtocol
import PaddockCore
import PaddockRuntime
import Synchronization

/// A session runtime without containers, for fast tests of the service's rules (states,
/// waiting, deletion, validation). The real runtime has its own tests, and the end-to-end
/// tests run the server with it.
///
/// - provisioning reports `base` cached and one `built` step per package manager in use, and
///   waits for `gate` when one is set (to observe `provisioning`);
/// - a pip requirement `fail==1` fails the `pip` step;
/// - exec echoes its argv joined by spaces on stdout and exits with 0 (or `exit N` for `["exit", "N"]`);
/// - files live in a dictionary.
final class FakeSessionRuntime: SessionRuntime {
    private struct State {
        var live: Set<String> = []
        var files: [String: [String: [UInt8]]] = [:]
        var provisioned: [String] = []
        var terminated: [String] = []
        var gate: CheckedContinuation<Void, Never>?
        var holdProvisioning = false
    }

    private let state = Mutex(State())

    /// Makes provisioning wait until `release()`.
    func hold() { state.withLock { $0.holdProvisioning = true } }

    /// Lets a held provisioning go on.
    func release() {
        let gate = state.withLock { state in
            state.holdProvisioning = false
            defer { state.gate = nil }
            return state.gate
        }
        gate?.resume()
    }

    var terminated: [String] { state.withLock { $0.terminated } }
    var liveSessions: Set<String> { state.withLock { $0.live } }

    func provision(_ launch: SessionLaunch, observer: any ProvisioningObserver) async throws -> RunningSession {
        var steps = [ProvisioningStep(name: "base", status: .cached, durationMs: 0)]
        observer.step(steps[0])
        if state.withLock({ $0.holdProvisioning }) {
            observer.log("waiting for the test")
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLock { state -> Bool in
                        guard state.holdProvisioning else { return true }
                        state.gate = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                self.release()
            }
        }
        try Task.checkCancellation()
        for (name, list) in [("apt", launch.packages.apt.map(\.spec)), ("npm", launch.packages.npm.map(\.spec)),
                             ("pip", launch.packages.pip.map(\.spec))] where !list.isEmpty {
            observer.log("installing \(list.joined(separator: " "))")
            if list.contains("fail==1") {
                steps.append(ProvisioningStep(name: name, status: .failed, durationMs: 1))
                observer.step(steps.last!)
                throw ProvisioningFailure(step: name, message: "pip install failed (exit 1): ERROR: No matching distribution found for fail==1",
                                          steps: steps)
            }
            steps.append(ProvisioningStep(name: name, status: .built, durationMs: 5))
            observer.step(steps.last!)
        }
        steps.append(ProvisioningStep(name: "container", status: .built, durationMs: 1))
        observer.step(steps.last!)
        state.withLock {
            $0.live.insert(launch.sessionID)
            $0.provisioned.append(launch.sessionID)
        }
        return RunningSession(sessionID: launch.sessionID, steps: steps)
    }

    func exec(sessionID: String, request: ExecRequest, stdin: [UInt8],
              onEvent: @escaping @Sendable (AgentEvent) -> Void) async throws(PaddockError) -> ExecExit {
        try requireLive(sessionID)
        if request.argv.first == "exit", let code = request.argv.dropFirst().first.flatMap({ Int($0) }) {
            return ExecExit(exitCode: code)
        }
        onEvent(.stdout(Array(request.argv.joined(separator: " ").utf8) + stdin))
        return ExecExit(exitCode: 0, durationMs: 1)
    }

    func readFile(sessionID: String, path: SessionPath, limit: Int) async throws(PaddockError) -> [UInt8] {
        try requireLive(sessionID)
        guard let bytes = state.withLock({ $0.files[sessionID]?[path.value] }) else {
            throw PaddockError(.notFound, "path: \(path.value) does not exist", param: "path")
        }
        return bytes
    }

    func writeFile(sessionID: String, path: SessionPath, contents: [UInt8], mode: UInt32?) async throws(PaddockError) {
        try requireLive(sessionID)
        state.withLock { $0.files[sessionID, default: [:]][path.value] = contents }
    }

    func listDirectory(sessionID: String, path: SessionPath) async throws(PaddockError) -> [SessionFileEntry] {
        try requireLive(sessionID)
        let prefix = path.value == "/" ? "/" : path.value + "/"
        return state.withLock { $0.files[sessionID] ?? [:] }
            .filter { $0.key.hasPrefix(prefix) }
            .map { SessionFileEntry(name: String($0.key.dropFirst(prefix.count)), kind: .file, size: Int64($0.value.count), mode: 0o644) }
            .sorted { $0.name < $1.name }
    }

    func terminate(sessionID: String) async {
        state.withLock {
            $0.live.remove(sessionID)
            $0.files[sessionID] = nil
            $0.terminated.append(sessionID)
        }
    }

    func isAlive(sessionID: String) async -> Bool {
        state.withLock { $0.live.contains(sessionID) }
    }

    func reconcile(live: Set<String>) async -> ReconcileReport {
        state.withLock { state in
            let adopted = live.intersection(state.live)
            let removed = state.live.subtracting(live)
            state.live = adopted
            return ReconcileReport(adopted: adopted, lost: live.subtracting(adopted), removed: removed.sorted())
        }
    }

    private func requireLive(_ id: String) throws(PaddockError) {
        guard state.withLock({ $0.live.contains(id) }) else {
            throw PaddockError(.notFound, "session \(id) is not running here")
        }
    }
}
