import PaddockJSON

/// `paddock keys create [--name NAME]`: `POST /v1/api_keys`.
struct KeyCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "create",
        abstract: "create another API key for your account",
        parameters: [
            .option("name", value: "NAME", help: "a label to recognise the key by"),
            .json,
        ])

    let name: String?
    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        name = arguments.value("name")
        json = arguments.flag("json")
    }

    /// The request body: `{"name": …}` or `{}`.
    var body: JSONValue {
        var body = JSONObject()
        if let name { body["name"] = .string(name) }
        return .object(body)
    }

    func run(in context: CommandContext) async throws {
        let result = try await context.client().post("/v1/api_keys", body: body)
        if json {
            context.printJSON(result)
            return
        }
        let object = result["api_key"]
        let label = object?["name"].map { $0.isNull ? "" : " (\($0.displayText))" } ?? ""
        context.print("""
            created API key \(Display.text(object?["id"]))\(label)

                \(result["key"]?.stringValue ?? "-")

            This key is shown only once: store it now.
            """)
    }
}
