import PaddockCore

/// The steps of one provisioning as they happen: reports each to the observer when it begins
/// (`running`) and when it ends, and keeps the ended ones for ``RunningSession/steps``.
struct ProvisioningProgress {
    let observer: any ProvisioningObserver
    /// The ended steps, in order.
    private(set) var steps: [ProvisioningStep] = []
    private var current: (name: String, started: ContinuousClock.Instant)?

    init(observer: any ProvisioningObserver) {
        self.observer = observer
    }

    /// Starts step `name`.
    mutating func begin(_ name: String) {
        current = (name, .now)
        observer.step(ProvisioningStep(name: name, status: .running, durationMs: 0))
    }

    /// Ends the current step with `status` (a cache hit counts 0 ms).
    mutating func end(_ status: ProvisioningStep.Status) {
        guard let current else { return }
        let elapsed = current.started.duration(to: .now)
        let milliseconds = status == .cached ? 0 : Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        record(ProvisioningStep(name: current.name, status: status, durationMs: milliseconds))
    }

    /// Ends the current step as `failed` and returns its name (nil when no step was under way).
    mutating func fail() -> String? {
        guard let name = current?.name else { return nil }
        end(.failed)
        return name
    }

    private mutating func record(_ step: ProvisioningStep) {
        steps.append(step)
        observer.step(step)
        current = nil
    }
}

/// Undo actions of a provisioning, run in reverse order when it fails or is cancelled.
struct ProvisioningRollback {
    private var actions: [@Sendable () async -> String?] = []

    /// Adds an action; it returns a description of its failure, or nil.
    mutating func add(_ undo: @escaping @Sendable () async -> String?) {
        actions.append(undo)
    }

    /// Runs every action, last added first; returns the failures.
    func run() async -> [String] {
        var problems: [String] = []
        for action in actions.reversed() {
            if let problem = await action() { problems.append(problem) }
        }
        return problems
    }
}
