import PaddockJSON

/// Waits for a session `paddock run` created to leave `provisioning`, polling
/// `GET /v1/sessions/{id}` and showing the steps live on a terminal.
struct RunProvisioning {
    /// Time before the first poll; it doubles after each poll up to ``maxPollInterval``, so a
    /// cached session (ready in ~100 ms) is seen at once and a long build is not polled hard.
    static let firstPollInterval: Duration = .milliseconds(10)
    /// The longest time between two polls.
    static let maxPollInterval: Duration = .milliseconds(200)

    let client: APIClient
    let console: Console

    /// Polls until the session runs; a failed or ended session is a failure naming why
    /// (on a pipe, the steps are printed then, and only then).
    func waitUntilRunning(_ created: JSONValue) async throws -> JSONValue {
        var session = created
        var progress = SessionProgress()
        var interval = Self.firstPollInterval
        let id = Display.text(created["id"])
        while true {
            if console.errorIsTerminal {
                let drawing = progress.redraw(session)
                if !drawing.isEmpty { console.writeError(drawing) }
            }
            switch session["status"]?.stringValue {
            case "running":
                return session
            case "failed":
                if !console.errorIsTerminal { console.writeError(SessionProgress.plain(session)) }
                throw CLIFailure.failed(SessionDisplay.failureMessage(session))
            case "terminated":
                if !console.errorIsTerminal { console.writeError(SessionProgress.plain(session)) }
                let reason = session["termination_reason"]?.stringValue ?? "no reason given"
                throw CLIFailure.failed("session \(id) ended before it started (reason: \(reason))")
            default:
                try await Task.sleep(for: interval)
                interval = min(interval * 2, Self.maxPollInterval)
                session = try await client.get(SessionReference.path(id))
            }
        }
    }
}
