import Testing
@testable import PaddockCLI

@Suite("help")
struct HelpTests {
    /// Every command path in the tree, e.g. `["env", "create"]`.
    static let allPaths: [[String]] = {
        var paths: [[String]] = [[]]
        func walk(_ node: CommandNode, _ prefix: [String]) {
            for child in node.subcommands {
                if case .external = child.action { continue }
                paths.append(prefix + [child.name])
                walk(child, prefix + [child.name])
            }
        }
        walk(CommandTree.root, [])
        return paths
    }()

    @Test("-h and --help work on every command and group", arguments: allPaths)
    func helpEverywhere(path: [String]) async {
        for flag in ["-h", "--help"] {
            let result = await runCLI(path + [flag])
            #expect(result.exitCode == 0)
            #expect(result.stdout.hasPrefix("OVERVIEW: "))
            #expect(result.stdout.contains("USAGE: " + (["paddock"] + path).joined(separator: " ")))
            #expect(result.stdout.contains("-h, --help"))
            #expect(result.stderr.isEmpty)
            #expect(result.requests.isEmpty)
        }
    }

    @Test("help wins over other errors on the same command line")
    func helpWins() async {
        let result = await runCLI(["env", "create", "--bogus", "--help"])
        #expect(result.exitCode == 0)
        #expect(result.stdout.hasPrefix("OVERVIEW: create an environment"))
    }

    @Test("the top-level help lists every group and serve")
    func topLevel() async {
        let result = await runCLI(["--help"])
        for line in [
            "  env            create, list, show, update and delete environments",
            "  accounts       create accounts and show your own",
            "  keys           create, list and delete your API keys",
            "  serve          start the server (see `paddock serve --help`)",
        ] {
            #expect(result.stdout.contains(line + "\n"), "missing: \(line)")
        }
        #expect(await runCLI([]).stdout == result.stdout)
    }

    @Test("env create --help lists every declared flag and the global options")
    func createListsEveryFlag() async {
        let help = await runCLI(["env", "create", "--help"]).stdout
        let declared = EnvironmentCreate.configuration.parameters + ConnectionSettings.parameters
        for parameter in declared {
            #expect(help.contains("\n  \(parameter.synopsis) "), "help does not list \(parameter.synopsis)")
        }
        for flag in ["--description TEXT", "--apt PKG", "--pip SPEC", "--npm SPEC", "--network POLICY",
                     "--allow-package-managers", "--allow-host HOST", "--domain HOST", "--setup-script FILE",
                     "--metadata KEY=VALUE", "--from-file FILE.json", "--json", "--url URL", "--api-key KEY",
                     "--data DIR", "-h, --help"] {
            #expect(help.contains("\n  \(flag) "), "help does not list \(flag)")
        }
    }

    @Test("env create --help matches the snapshot")
    func createSnapshot() async {
        let result = await runCLI(["env", "create", "--help"])
        #expect(result.stdout == Self.createHelp)
    }

    static let createHelp = """
        OVERVIEW: create an environment

        USAGE: paddock env create [NAME] [--description TEXT] [--apt PKG]...
                                  [--pip SPEC]... [--npm SPEC]... [--network POLICY]
                                  [--allow-package-managers] [--allow-host HOST]...
                                  [--domain HOST]... [--setup-script FILE]
                                  [--metadata KEY=VALUE]... [--from-file FILE.json]
                                  [--json]

        ARGUMENTS:
          NAME                      the environment's name, unique in your account (may
                                    be left out when --from-file has a name)

        OPTIONS:
          --description TEXT        a description for people (at most 2048 characters)
          --apt PKG                 a Debian package, optionally name=version (e.g. jq
                                    or curl=7.88.1-10); repeat for more
          --pip SPEC                a pip requirement (e.g. pandas==2.1.0 or
                                    'requests[socks]>=2,<3'); repeat for more
          --npm SPEC                an npm package with an optional version (e.g.
                                    typescript@5.0.0); repeat for more
          --network POLICY          outbound network policy: unrestricted (the default),
                                    limited or allowlist
          --allow-package-managers  with --network limited: also allow the apt, PyPI and
                                    npm registries
          --allow-host HOST         with --network limited: a host to allow (e.g.
                                    api.example.com or *.example.org); repeat for more
          --domain HOST             with --network allowlist: a host the environment may
                                    reach; repeat for more; none means no outbound
                                    network
          --setup-script FILE       a bash script run as root after the packages are
                                    installed
          --metadata KEY=VALUE      a metadata pair; repeat for more
          --from-file FILE.json     use this JSON file as the request body; the other
                                    flags override its fields
          --json                    print the API's JSON response instead of text
          -h, --help                show this help

        GLOBAL OPTIONS:
          --url URL                 the Paddock server (env PADDOCK_URL; default
                                    http://127.0.0.1:8080)
          --api-key KEY             the API key to use (env PADDOCK_API_KEY; default:
                                    the contents of DIR/admin.key)
          --data DIR                the server's data directory, where admin.key is read
                                    from (env PADDOCK_DATA; default ./data)

        NETWORK:
          --network unrestricted  any outbound connection (the default)
          --network limited       only --allow-host hosts, plus the package registries
                                  with --allow-package-managers
          --network allowlist     only --domain hosts; without --domain, no network at all

        EXAMPLES:
          paddock env create data-science --apt jq --pip pandas==2.1.0
          paddock env create locked --network allowlist --domain pypi.org
          paddock env create ci --from-file ci.json --metadata team=ml

        """
}
