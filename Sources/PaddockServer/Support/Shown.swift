/// Client-supplied text as it may appear inside an error message: at most 100 characters, so a
/// 30 KB id is not echoed back in full.
enum Shown {
    static func text(_ value: String, limit: Int = 100) -> String {
        value.count <= limit ? value : String(value.prefix(limit)) + "…"
    }
}
