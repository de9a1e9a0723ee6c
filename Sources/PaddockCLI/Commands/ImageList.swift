/// `paddock image ls`: `GET /v1/images`, the base image and the cached package layers.
struct ImageList: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "ls",
        abstract: "show the base image and the cached package layers, and how much space they take",
        parameters: [.json])

    let json: Bool

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        json = arguments.flag("json")
    }

    func run(in context: CommandContext) async throws {
        let images = try await context.client().get("/v1/images")
        if json {
            context.printJSON(images)
        } else {
            context.print(ImageDisplay.listing(images))
        }
    }
}
