import Foundation

/// Where the server is and which key to use, from the global options and the environment.
///
/// Precedence: the flag, then the environment variable, then the default. Without
/// `--api-key` or `PADDOCK_API_KEY` the key is read from `DATA/admin.key`, the file
/// `paddock serve --data DATA` writes on first start.
struct ConnectionSettings: Sendable, Equatable {
    /// The default server address.
    static let defaultURL = "http://127.0.0.1:8080"
    /// The default data directory.
    static let defaultDataDirectory = "./data"

    /// The options every command accepts.
    static let parameters: [Parameter] = [
        .option("url", value: "URL",
                help: "the Paddock server (env PADDOCK_URL; default \(defaultURL))"),
        .option("api-key", value: "KEY",
                help: "the API key to use (env PADDOCK_API_KEY; default: the contents of DIR/admin.key)"),
        .option("data", value: "DIR",
                help: "the server's data directory, where admin.key is read from (env PADDOCK_DATA; default \(defaultDataDirectory))"),
    ]

    /// The base URL without a trailing slash.
    var baseURL: String
    /// The key given by flag or environment, if any.
    var explicitAPIKey: String?
    /// The data directory holding `admin.key`.
    var dataDirectory: String

    /// Resolves the settings; a URL that is not http(s) is a usage error.
    init(globals: ParsedArguments, environment: [String: String]) throws(CLIFailure) {
        func nonEmpty(_ value: String?) -> String? {
            guard let value, !value.isEmpty else { return nil }
            return value
        }
        let url = nonEmpty(globals.value("url")) ?? nonEmpty(environment["PADDOCK_URL"]) ?? Self.defaultURL
        let host = url.split(separator: "://", maxSplits: 1).dropFirst().first ?? ""
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), !host.isEmpty else {
            throw .usage("--url must start with http:// or https:// (got '\(url)')")
        }
        var trimmed = url
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        baseURL = trimmed
        if let flag = nonEmpty(globals.value("api-key")) {
            explicitAPIKey = flag
        } else if let variable = nonEmpty(environment["PADDOCK_API_KEY"]) {
            explicitAPIKey = variable
            explicitAPIKeySource = "PADDOCK_API_KEY"
        }
        dataDirectory = nonEmpty(globals.value("data")) ?? nonEmpty(environment["PADDOCK_DATA"])
            ?? Self.defaultDataDirectory
    }

    /// Where an explicit key came from: `--api-key` or `PADDOCK_API_KEY`.
    var explicitAPIKeySource = "--api-key"

    /// The key to send and where it came from: the explicit one, else `DATA/admin.key` with
    /// whitespace trimmed.
    func apiKey() throws(CLIFailure) -> (key: String, source: String) {
        if let explicitAPIKey { return (explicitAPIKey, explicitAPIKeySource) }
        let path = (dataDirectory as NSString).appendingPathComponent("admin.key")
        guard FileManager.default.fileExists(atPath: path) else {
            throw .failed("no API key: pass --api-key KEY, set PADDOCK_API_KEY, or point --data at the server's data directory (\(path) does not exist)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .failed("cannot read \(path) (permission denied?); pass --api-key KEY or set PADDOCK_API_KEY")
        }
        let key = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty else {
            throw .failed("\(path) is empty; pass --api-key KEY or set PADDOCK_API_KEY")
        }
        return (key, path)
    }
}
