import PaddockJSON

/// Live provisioning progress on a terminal: a status line and one line per step, redrawn in
/// place (cursor up, clear line) each time the session is polled.
struct SessionProgress: Sendable {
    /// How many lines the last drawing left on the screen.
    private(set) var linesDrawn = 0
    /// The lines of the last drawing, so an unchanged poll draws nothing.
    private var lastLines: [String] = []

    /// The lines for `session`: `session sess_… (env): provisioning`, then the steps.
    static func lines(_ session: JSONValue) -> [String] {
        let header = "session \(Display.text(session["id"])) (\(SessionDisplay.environmentName(session))): "
            + Display.text(session["status"])
        let steps = session["provisioning"]?["steps"]?.arrayValue ?? []
        let table = TextTable(headers: ["", "", ""], rows: steps.map(SessionDisplay.stepCells)).render()
        let stepLines = steps.isEmpty ? [] : table.split(separator: "\n", omittingEmptySubsequences: false)
            .dropFirst().map { "  " + $0 }
        return [header] + stepLines
    }

    /// The text that replaces the previous drawing with `session`'s lines (empty when they
    /// have not changed).
    mutating func redraw(_ session: JSONValue) -> String {
        let lines = Self.lines(session)
        if lines == lastLines { return "" }
        lastLines = lines
        var text = linesDrawn > 0 ? "\u{1B}[\(linesDrawn)A" : ""
        for line in lines {
            text += "\r\u{1B}[2K" + line + "\n"
        }
        // A drawing with fewer lines than the last one clears what is left below it.
        if linesDrawn > lines.count {
            text += "\u{1B}[J"
        }
        linesDrawn = lines.count
        return text
    }

    /// The same lines without cursor movement, for a log or a pipe.
    static func plain(_ session: JSONValue) -> String {
        lines(session).joined(separator: "\n") + "\n"
    }
}
