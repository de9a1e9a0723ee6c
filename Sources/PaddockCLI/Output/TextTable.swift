/// A plain-text table: a header row and rows, columns padded to their widest cell and
/// separated by two spaces, with no trailing whitespace.
struct TextTable: Sendable {
    /// Column titles, e.g. `["ID", "NAME"]`.
    let headers: [String]
    /// Cells, one array per row, as many as `headers`.
    var rows: [[String]]

    /// The table as lines joined by newlines (no final newline).
    func render() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.count)
            }
        }
        return ([headers] + rows).map { row in
            var line = ""
            for (column, cell) in row.enumerated() {
                let isLast = column == row.count - 1
                line += isLast ? cell : cell.paddedRight(to: widths[column] + 2)
            }
            return String(line.reversed().drop(while: { $0 == " " }).reversed())
        }.joined(separator: "\n")
    }
}
