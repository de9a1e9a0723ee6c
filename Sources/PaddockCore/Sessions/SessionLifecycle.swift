/// Where a session is in its life (api.md, "Session object").
public enum SessionStatus: String, Sendable, CaseIterable {
    /// Layers are being resolved or built and the container started.
    case provisioning
    /// The container runs; exec and file calls are allowed.
    case running
    /// Provisioning failed; `error` says which step.
    case failed
    /// The session ended; `termination_reason` says why.
    case terminated

    /// Whether nothing can happen to the session any more.
    public var isFinal: Bool { self == .failed || self == .terminated }
}

/// Why a session ended.
public enum TerminationReason: String, Sendable, CaseIterable {
    /// `DELETE /v1/sessions/{id}`.
    case deleted
    /// `timeout_seconds` passed.
    case timeout
    /// `idle_timeout_seconds` passed without an exec or file call.
    case idle
    /// The container's memory limit killed its init.
    case oom
    /// The container vanished (e.g. found gone when the server restarted).
    case error
}

/// What can happen to a session.
public enum SessionEvent: Sendable, Equatable {
    /// Provisioning finished and the container runs.
    case started
    /// A provisioning step failed.
    case provisioningFailed
    /// The session ends for `reason` (from provisioning or running).
    case terminate(TerminationReason)
}

/// The session state machine, pure: the only place that decides which transitions exist.
/// Deleting a provisioning session cancels it (it becomes `terminated`/`deleted`); deleting a
/// session that already ended changes nothing (delete is idempotent).
public enum SessionLifecycle {
    /// The state after `event`, or a `conflict` error naming the states when the event is not
    /// possible. `terminate` on a session that already ended returns it unchanged.
    public static func next(_ status: SessionStatus, on event: SessionEvent) throws(PaddockError)
        -> (status: SessionStatus, reason: TerminationReason?) {
        switch (status, event) {
        case (.provisioning, .started):
            return (.running, nil)
        case (.provisioning, .provisioningFailed):
            return (.failed, nil)
        case (.provisioning, .terminate(let reason)), (.running, .terminate(let reason)):
            return (.terminated, reason)
        case (.failed, .terminate), (.terminated, .terminate):
            return (status, nil)
        default:
            throw PaddockError(.conflict, "a session that is \(status.rawValue) cannot become \(describe(event))")
        }
    }

    /// Whether exec and file calls are allowed (409 otherwise).
    public static func acceptsWork(_ status: SessionStatus) -> Bool { status == .running }

    private static func describe(_ event: SessionEvent) -> String {
        switch event {
        case .started: "running"
        case .provisioningFailed: "failed"
        case .terminate: "terminated"
        }
    }
}
