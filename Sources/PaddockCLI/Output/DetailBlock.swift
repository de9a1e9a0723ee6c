/// A key/value block: labels followed by a colon, values aligned in one column; a value with
/// several lines continues under the value column.
struct DetailBlock: Sendable {
    /// The rows, in order.
    var entries: [(label: String, value: String)] = []

    /// Adds a row.
    mutating func add(_ label: String, _ value: String) {
        entries.append((label: label, value: value))
    }

    /// The block as lines joined by newlines (no final newline).
    func render() -> String {
        let column = (entries.map(\.label.count).max() ?? 0) + 3
        var lines: [String] = []
        for entry in entries {
            let valueLines = entry.value.isEmpty ? [""] : entry.value.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let first = (entry.label + ":").paddedRight(to: column) + valueLines[0]
            lines.append(first.trimmingTrailingSpaces())
            for line in valueLines.dropFirst() {
                lines.append((String(repeating: " ", count: column) + line).trimmingTrailingSpaces())
            }
        }
        return lines.joined(separator: "\n")
    }
}
