import Testing
@testable import PaddockCLI

@Suite("argument parsing")
struct ArgumentParsingTests {
    /// Command lines that must fail with exit 2, the one-line message, and the help pointer.
    static let invalid: [(arguments: [String], message: String, help: String)] = [
        (["env", "create"], "missing argument NAME", "paddock env create"),
        (["env", "create", "web", "extra"], "unexpected argument 'extra'", "paddock env create"),
        (["env", "create", "web", "--netwrok", "limited"],
         "unknown option '--netwrok'; did you mean '--network'?", "paddock env create"),
        (["env", "create", "web", "-x"], "unknown option '-x'", "paddock env create"),
        (["env", "create", "web", "--network", "open"],
         "--network must be one of unrestricted, limited, allowlist (got 'open')", "paddock env create"),
        (["env", "create", "web", "--network", "limited", "--network", "allowlist"],
         "--network is given more than once; give it once", "paddock env create"),
        (["env", "create", "web", "--allow-host", "api.example.com"],
         "--allow-host needs --network limited; add --network limited", "paddock env create"),
        (["env", "create", "web", "--allow-package-managers"],
         "--allow-package-managers needs --network limited; add --network limited", "paddock env create"),
        (["env", "create", "web", "--network", "unrestricted", "--allow-package-managers"],
         "--allow-package-managers needs --network limited (got --network unrestricted); use --network limited",
         "paddock env create"),
        (["env", "create", "web", "--network", "allowlist", "--allow-host", "a.example.com"],
         "--allow-host needs --network limited; with --network allowlist use --domain HOST", "paddock env create"),
        (["env", "create", "web", "--domain", "pypi.org"],
         "--domain needs --network allowlist; add --network allowlist", "paddock env create"),
        (["env", "create", "web", "--network", "limited", "--domain", "pypi.org"],
         "--domain needs --network allowlist; with --network limited use --allow-host HOST", "paddock env create"),
        (["env", "create", "web", "--metadata", "team"], "--metadata takes KEY=VALUE (got 'team')", "paddock env create"),
        (["env", "create", "web", "--metadata", "=ml"], "--metadata takes KEY=VALUE (got '=ml')", "paddock env create"),
        (["env", "create", "web", "--metadata", "a=1", "--metadata", "a=2"],
         "--metadata sets 'a' more than once; give each key once", "paddock env create"),
        (["env", "create", "web", "--apt"],
         "--apt needs a value (PKG); write --apt=VALUE for a value that starts with '-'", "paddock env create"),
        (["env", "create", "web", "--description", "--json"],
         "--description needs a value (TEXT); write --description=VALUE for a value that starts with '-'",
         "paddock env create"),
        (["env", "create", "web", "--json=yes"], "--json does not take a value", "paddock env create"),
        (["env", "create", "web", "--setup-script", "/nonexistent/setup.sh"],
         "--setup-script '/nonexistent/setup.sh': no such file", "paddock env create"),
        (["env", "create", "--from-file", "/nonexistent/env.json"],
         "--from-file '/nonexistent/env.json': no such file", "paddock env create"),
        (["env", "list", "--limit", "0"], "--limit must be a whole number from 1 to 100 (got '0')", "paddock env list"),
        (["env", "list", "--limit", "ten"], "--limit must be a whole number from 1 to 100 (got 'ten')", "paddock env list"),
        (["env", "list", "--limit=101"], "--limit must be a whole number from 1 to 100 (got '101')", "paddock env list"),
        (["env", "get"], "missing argument ID|NAME", "paddock env get"),
        (["env", "delete", "a", "b"], "unexpected argument 'b'", "paddock env delete"),
        (["env", "update", "web"],
         "nothing to change; give at least one flag such as --description, --pip or --network", "paddock env update"),
        (["env", "update", "web", "--description", "x", "--clear-description"],
         "--description and --clear-description contradict each other; give one", "paddock env update"),
        (["env", "update", "web", "--clear-packages", "--pip", "x"],
         "--clear-packages cannot be combined with --apt, --pip or --npm; give the packages to keep instead",
         "paddock env update"),
        (["env", "update", "web", "--metadata", "a=1", "--unset-metadata", "a"],
         "--metadata and --unset-metadata both name 'a'; give one", "paddock env update"),
        (["env", "update", "web", "--allow-host", "a.example.com"],
         "--allow-host needs --network limited; add --network limited", "paddock env update"),
        (["env", "frobnicate"], "unknown command 'frobnicate' for 'paddock env'", "paddock env"),
        (["evn", "list"], "unknown command 'evn' for 'paddock'; did you mean 'env'?", "paddock"),
        (["--verbose", "env", "list"], "unknown option '--verbose'", "paddock"),
        (["--url", "ftp://example.com", "env", "list"],
         "--url must start with http:// or https:// (got 'ftp://example.com')", "paddock env list"),
        (["env", "list", "--url", "http://a", "--url", "http://b"],
         "--url is given more than once; give it once", "paddock env list"),
        (["accounts", "create"], "missing argument NAME", "paddock accounts create"),
        (["keys", "delete"], "missing argument ID", "paddock keys delete"),
        (["keys", "create", "--name"],
         "--name needs a value (NAME); write --name=VALUE for a value that starts with '-'", "paddock keys create"),
    ]

    @Test("an invalid command line exits 2 with one error line and a pointer to help", arguments: invalid)
    func invalidCommandLine(arguments: [String], message: String, help: String) async {
        let result = await runCLI(arguments)
        #expect(result.exitCode == 2)
        #expect(result.stderr == "error: \(message)\nsee '\(help) --help'\n")
        #expect(result.stdout.isEmpty)
        #expect(result.requests.isEmpty)
    }

    /// Command lines that must parse and send exactly one request.
    static let valid: [(arguments: [String], call: String)] = [
        (["env", "list"], "GET /v1/environments"),
        (["env", "list", "--limit", "5"], "GET /v1/environments?limit=5"),
        (["env", "list", "--limit=5", "--name", "web"], "GET /v1/environments?limit=5&name=web"),
        (["--api-key", "pdk_x", "env", "list"], "GET /v1/environments"),
        (["env", "--api-key", "pdk_x", "list"], "GET /v1/environments"),
        (["env", "list", "--api-key=pdk_x"], "GET /v1/environments"),
        (["env", "get", "env_01ABC"], "GET /v1/environments/env_01ABC"),
        (["env", "get", "--json", "--", "env_01ABC"], "GET /v1/environments/env_01ABC"),
        (["env", "delete", "env_01ABC", "--json"], "DELETE /v1/environments/env_01ABC"),
        (["env", "create", "web", "--description=--dashes are fine with ="], "POST /v1/environments"),
        (["env", "create", "--network", "limited", "web", "--allow-host", "a.example.com"], "POST /v1/environments"),
        (["accounts", "me"], "GET /v1/accounts/me"),
        (["accounts", "create", "acme"], "POST /v1/accounts"),
        (["keys", "list"], "GET /v1/api_keys"),
        (["keys", "create"], "POST /v1/api_keys"),
        (["keys", "delete", "key_01ABC"], "DELETE /v1/api_keys/key_01ABC"),
    ]

    @Test("a valid command line sends its request", arguments: valid)
    func validCommandLine(arguments: [String], call: String) async {
        let server = FakeServer { _ in FakeServer.json(200, ["data": [], "has_more": false]) }
        let result = await runCLI(arguments, server: server)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.calls == [call])
    }

    @Test("global options work before, between and after the subcommands")
    func globalOptionsAnywhere() async {
        for arguments in [
            ["--url", "http://paddock.test:9000/", "--api-key", "pdk_flag", "env", "list"],
            ["env", "--url", "http://paddock.test:9000/", "list", "--api-key", "pdk_flag"],
            ["env", "list", "--url=http://paddock.test:9000/", "--api-key=pdk_flag"],
        ] {
            let server = FakeServer { _ in FakeServer.json(200, listFixture([])) }
            let result = await runCLI(arguments, server: server, environment: ["PADDOCK_API_KEY": "pdk_env"])
            #expect(result.exitCode == 0)
            #expect(server.baseURLs == ["http://paddock.test:9000"])
            #expect(result.requests.first?.headers["authorization"] == "Bearer pdk_flag")
        }
    }

    @Test("a group without a subcommand prints its help and exits 0")
    func groupWithoutSubcommand() async {
        let result = await runCLI(["env"])
        #expect(result.exitCode == 0)
        #expect(result.stdout.hasPrefix("OVERVIEW: create, list, show, update and delete environments\n"))
    }

    @Test("serve is listed but not run by the client library")
    func serveIsExternal() async {
        let result = await runCLI(["serve"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.hasPrefix("error: 'paddock serve' is run by the paddock executable itself\n"))
    }

    @Test("edit distance suggests near misses only")
    func suggestions() {
        #expect(closest(to: "--netwrok", among: ["--network", "--name"]) == "--network")
        #expect(closest(to: "--zzz", among: ["--network", "--name"]) == nil)
        #expect(editDistance("kitten", "sitting") == 3)
        #expect(editDistance("evn", "env") == 1)
    }
}
