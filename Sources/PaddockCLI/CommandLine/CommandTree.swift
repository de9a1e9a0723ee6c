/// The `paddock` command tree, in the order help lists it.
enum CommandTree {
    /// The root: `paddock`.
    static let root = CommandNode.group(
        "paddock",
        abstract: "self-hosted environments and sessions for AI agents",
        [
            .group("env", abstract: "create, list, show, update and delete environments", [
                .command(EnvironmentCreate.self),
                .command(EnvironmentList.self),
                .command(EnvironmentGet.self),
                .command(EnvironmentUpdate.self),
                .command(EnvironmentDelete.self),
            ]),
            .group("session", abstract: "create, list, show and delete sessions; logs and egress", [
                .command(SessionCreate.self),
                .command(SessionList.self),
                .command(SessionGet.self),
                .command(SessionDelete.self),
                .command(SessionLogs.self),
                .command(SessionEgress.self),
            ]),
            .command(Exec.self),
            .command(Copy.self),
            .command(Run.self),
            .group("image", abstract: "show, prune and build the image cache", [
                .command(ImageList.self),
                .command(ImagePrune.self),
                .command(ImageBuild.self),
            ]),
            .group("accounts", abstract: "create accounts and show your own", [
                .command(AccountCreate.self),
                .command(AccountMe.self),
            ]),
            .group("keys", abstract: "create, list and delete your API keys", [
                .command(KeyCreate.self),
                .command(KeyList.self),
                .command(KeyDelete.self),
            ]),
            .external("serve", abstract: "start the server (see `paddock serve --help`)"),
        ])

    /// The parser for the whole tree.
    static let parser = CommandLineParser(root: root, globalParameters: ConnectionSettings.parameters)

    /// The help formatter for the whole tree.
    static let helpFormatter = HelpFormatter(globalParameters: ConnectionSettings.parameters)
}
