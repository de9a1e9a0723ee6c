/// One side of `paddock cp`: a path on this machine, standard input/output (`-`), or a
/// path inside a session written `SESSION:/abs/path`.
///
/// A side is in a session when the text before its first `:` is non-empty and has no `/`
/// (docker's rule), so `./a:b` and `/tmp/a:b` stay local paths.
enum CopyLocation: Equatable, Sendable {
    /// A file on this machine.
    case local(String)
    /// Standard input (as a source) or standard output (as a destination).
    case standardStream
    /// An absolute path inside a session.
    case session(id: String, path: String)

    /// Parses one side; a session path that is not absolute is a usage error.
    init(_ text: String) throws(CLIFailure) {
        if text == "-" {
            self = .standardStream
            return
        }
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex,
              !text[..<colon].contains("/") else {
            guard !text.isEmpty else { throw .usage("an empty path cannot be copied") }
            self = .local(text)
            return
        }
        let id = String(text[..<colon])
        let path = String(text[text.index(after: colon)...])
        guard path.hasPrefix("/") else {
            throw .usage("the path inside session \(id) must be absolute, e.g. \(id):/workspace/file (got '\(path)')")
        }
        self = .session(id: id, path: path)
    }

    /// Whether this side is inside a session.
    var isSession: Bool {
        if case .session = self { true } else { false }
    }
}
