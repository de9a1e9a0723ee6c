import PaddockJSON

/// `paddock image build`: `POST /v1/images/build`, makes the base image now instead of at
/// the first session (a no-op when it is already built).
struct ImageBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "build",
        abstract: "build the base image now (the first session would otherwise build it)",
        parameters: [.json])

    /// How long to wait for the build: a cold base image takes minutes.
    static let buildTimeout: Double = 3600

    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        json = arguments.flag("json")
    }

    func run(in context: CommandContext) async throws {
        if !json && context.console.errorIsTerminal {
            context.note("building the base image (minutes the first time)…")
        }
        let base = try await context.client().post("/v1/images/build", body: .object(JSONObject()),
                                                   timeout: Self.buildTimeout)
        if json {
            context.printJSON(base)
        } else {
            context.print("base image \(ImageDisplay.shortKey(base["key"]))  \(ImageDisplay.size(base["size_bytes"]))  built \(Display.timestamp(base["created_at"]))")
        }
    }
}
