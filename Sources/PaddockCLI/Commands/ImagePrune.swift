import PaddockJSON

/// `paddock image prune [--keep-mb N]`: `POST /v1/images/prune`, removes least recently
/// used layers that no session uses.
struct ImagePrune: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "prune",
        abstract: "remove cached layers no session uses, least recently used first",
        parameters: [
            .option("keep-mb", value: "N",
                    help: "remove layers until the cache holds at most N MiB (default: the server's limit; 0 removes every unused layer)"),
            .json,
        ])

    let keepMB: Int?
    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        keepMB = try arguments.integer("keep-mb", in: 0...(Int.max / (1 << 20)))
        json = arguments.flag("json")
    }

    /// `{"keep_bytes": N MiB}` or `{}`.
    var body: JSONValue {
        var body = JSONObject()
        if let keepMB { body["keep_bytes"] = .number(JSONNumber(keepMB << 20)) }
        return .object(body)
    }

    func run(in context: CommandContext) async throws {
        let result = try await context.client().post("/v1/images/prune", body: body)
        if json {
            context.printJSON(result)
            return
        }
        let removed = result["removed"]?.arrayValue ?? []
        let freed = removed.compactMap { $0["size_bytes"]?.numberValue?.intValue }.reduce(0, +)
        if removed.isEmpty {
            context.print("nothing to remove")
        } else {
            context.print(ImageDisplay.layerTable(removed))
            context.print("\nremoved \(removed.count) layer\(removed.count == 1 ? "" : "s") (\(ImageDisplay.size(.number(JSONNumber(freed)))))")
        }
        context.print("the cache now holds \(ImageDisplay.size(result["total_bytes"]))")
    }
}
