import Foundation
import Testing
import PaddockJSON
@testable import PaddockCLI

@Suite("exec")
struct ExecTests {
    static let session = "sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F"

    /// Command lines and the exact exec body they must produce.
    static let bodyCases: [(arguments: [String], body: JSONValue)] = [
        (["--", "python3", "-c", "print(1)"], ["command": ["python3", "-c", "print(1)"], "encoding": "base64"]),
        (["--", "ls -la /tmp"], ["command": ["ls -la /tmp"], "encoding": "base64"]),
        (["--", "echo", "--help", "-n", "--"], ["command": ["echo", "--help", "-n", "--"], "encoding": "base64"]),
        (["--shell", "ls | wc -l"], ["command": "ls | wc -l", "encoding": "base64"]),
        (["--cwd", "/tmp", "--env-var", "A=1", "--env-var", "B=x y", "--timeout", "30", "--user", "nobody",
          "--", "env"],
         ["command": ["env"], "cwd": "/tmp", "env": ["A": "1", "B": "x y"], "timeout_seconds": 30,
          "user": "nobody", "encoding": "base64"]),
    ]

    @Test("the command is argv after --, or a string with --shell", arguments: bodyCases)
    func body(arguments: [String], body: JSONValue) async {
        let server = FakeServer { _ in execResponse([exitEvent()]) }
        let result = await runCLI(["exec", Self.session] + arguments, server: server)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.calls == ["POST /v1/sessions/\(Self.session)/exec"])
        #expect(result.body() == body)
        let headers = result.requests[0].headers
        #expect(headers["accept"] == "application/x-ndjson")
        #expect(headers["content-type"] == "application/json")
        #expect(headers["authorization"] == "Bearer pdk_test")
        #expect(server.streamed == [true])
    }

    @Test("--stdin-file sends the file's text; - sends standard input")
    func stdin() async throws {
        let file = try TemporaryFile("line 1\nline 2\n")
        defer { file.cleanup() }
        let server = FakeServer { _ in execResponse([exitEvent()]) }
        let fromFile = await runCLI(["exec", Self.session, "--stdin-file", file.path, "--", "wc", "-l"], server: server)
        #expect(fromFile.exitCode == 0, "stderr: \(fromFile.stderr)")
        #expect(fromFile.body()?["stdin"] == "line 1\nline 2\n")
        let fromInput = await runCLI(["exec", Self.session, "--stdin-file", "-", "--", "cat"], server: server,
                                     input: Array("piped\n".utf8))
        #expect(fromInput.body(1)?["stdin"] == "piped\n")
    }

    @Test("stdout and stderr events go to stdout and stderr, in the order they arrive")
    func routing() async {
        let server = FakeServer { _ in
            execResponse([outputEvent("stdout", "one\n"), outputEvent("stderr", "warning\n"),
                          outputEvent("stdout", "two\n"), exitEvent()])
        }
        let result = await runCLI(["exec", Self.session, "--", "x"], server: server)
        #expect(result.exitCode == 0)
        #expect(result.stdout == "one\ntwo\n")
        #expect(result.stderr == "warning\n")
        #expect(result.writes == ["out:one\n", "err:warning\n", "out:two\n"])
    }

    @Test("binary output passes through byte for byte")
    func binaryOutput() async {
        let bytes: [UInt8] = Array(0...255) + [0xFF, 0xFE, 0x00, 0xC3]
        let server = FakeServer { _ in
            execResponse([outputEvent("stdout", Array(bytes[..<100])), outputEvent("stdout", Array(bytes[100...])),
                          exitEvent()])
        }
        let result = await runCLI(["exec", Self.session, "--", "cat", "/bin/true"], server: server)
        #expect(result.exitCode == 0)
        #expect(result.stdoutBytes == bytes)
    }

    @Test("output is written before the rest of the stream has arrived")
    func incremental() async {
        let captured = Captured()
        let events = ndjson([outputEvent("stdout", "early\n")])
        let server = FakeServer { _ in execResponse([outputEvent("stdout", "early\n"), exitEvent()]) }
        // Before the first piece after the stdout event, the CLI must already have written it.
        let firstPieceAfter = (events.count + server.streamPieceSize - 1) / server.streamPieceSize
        let console = CapturedConsole()
        server.onStreamPiece = { index in
            if index == firstPieceAfter { captured.set(console.stdout) }
        }
        let code = await PaddockCLI.run(["exec", Self.session, "--", "x"], environment: ["PADDOCK_API_KEY": "k"],
                                        console: console.console, transport: { server.transport(baseURL: $0) })
        #expect(code == 0)
        #expect(captured.value == "early\n")
    }

    /// Exit events and the exit code and stderr message they must produce.
    static let exitCases: [(event: JSONValue, code: Int32, message: String?)] = [
        (exitEvent(code: 0), 0, nil),
        (exitEvent(code: 3), 3, nil),
        (exitEvent(code: 255), 255, nil),
        (exitEvent(code: nil, signal: 9), 137, "the command was killed by SIGKILL"),
        (exitEvent(code: nil, signal: "SIGTERM"), 143, "the command was killed by SIGTERM"),
        (exitEvent(code: nil, signal: 9, timedOut: true, durationMS: 5000), 124,
         "the command timed out after 5.0 s and was killed (raise --timeout)"),
        (exitEvent(code: 137, signal: 9, oomKilled: true), 137,
         "the command ran out of memory and was killed (raise the session's --memory)"),
    ]

    @Test("paddock exits with the command's code: 128+signal when killed, 124 on a timeout", arguments: exitCases)
    func exitCode(event: JSONValue, code: Int32, message: String?) async {
        let server = FakeServer { _ in execResponse([outputEvent("stderr", "boom\n"), event]) }
        let result = await runCLI(["exec", Self.session, "--", "x"], server: server)
        #expect(result.exitCode == code)
        #expect(result.stderr == "boom\n" + (message.map { "error: \($0)\n" } ?? ""))
    }

    @Test("truncated output is noted on stderr")
    func truncated() async {
        let server = FakeServer { _ in execResponse([outputEvent("stdout", "x"), exitEvent(truncated: true)]) }
        let result = await runCLI(["exec", Self.session, "--", "yes"], server: server)
        #expect(result.exitCode == 0)
        #expect(result.stderr == "note: the server cut the command's output at its size cap\n")
    }

    @Test("an HTTP error before the stream is the API's error and exit 1")
    func httpError() async {
        let server = FakeServer { _ in
            FakeServer.error(409, "conflict_error", "session sess_01 is provisioning; exec needs a running session")
        }
        let result = await runCLI(["exec", "sess_01", "--", "true"], server: server)
        #expect(result.exitCode == 1)
        #expect(result.stderr == "error: session sess_01 is provisioning; exec needs a running session\n")
    }

    @Test("a stream that ends without an exit event is an error")
    func missingExit() async {
        let server = FakeServer { _ in execResponse([outputEvent("stdout", "partial")]) }
        let result = await runCLI(["exec", "sess_01", "--", "true"], server: server)
        #expect(result.exitCode == 1)
        #expect(result.stdout == "partial")
        #expect(result.stderr.hasPrefix("error: the connection to http://127.0.0.1:8080 closed before the command's exit status arrived"))
    }

    @Test("--json waits for the whole result and prints the API's JSON")
    func json() async throws {
        let answer: JSONValue = ["exit_code": 2, "signal": nil, "stdout": "out", "stderr": "err",
                                 "timed_out": false, "truncated": false, "duration_ms": 5]
        let server = FakeServer { _ in FakeServer.json(200, answer) }
        let result = await runCLI(["exec", "sess_01", "--json", "--", "false"], server: server)
        #expect(result.exitCode == 2)
        #expect(try JSONParser.parse(result.stdout) == answer)
        #expect(result.body() == ["command": ["false"]])
        #expect(result.requests[0].headers["accept"] == "application/json")
    }

    /// Command lines that must fail with exit 2 before any request.
    static let invalid: [(arguments: [String], message: String)] = [
        (["exec", "sess_01"], "missing the command to run; put it after '--', e.g. paddock exec sess_01 -- ls -la"),
        (["exec", "sess_01", "--"], "missing the command to run; put it after '--', e.g. paddock exec sess_01 -- ls -la"),
        (["exec", "sess_01", "ls"], "unexpected argument 'ls'; put COMMAND [ARG]... after '--'"),
        (["exec", "sess_01", "ls", "-la"], "unknown option '-la'"),
        (["exec", "--", "ls"], "missing argument SESSION"),
        (["exec", "sess_01", "--shell", "ls", "--", "ls"], "give either --shell TEXT or a command after '--', not both"),
        (["exec", "sess_01", "--cwd", "tmp", "--", "ls"], "--cwd must be an absolute path (got 'tmp')"),
        (["exec", "sess_01", "--timeout", "0", "--", "ls"], "--timeout must be a whole number of at least 1 (got '0')"),
        (["exec", "sess_01", "--stdin-file", "/nonexistent/in.txt", "--", "cat"],
         "--stdin-file '/nonexistent/in.txt': no such file"),
    ]

    @Test("an invalid exec command line exits 2 with one error line", arguments: invalid)
    func invalidCommandLine(arguments: [String], message: String) async {
        let result = await runCLI(arguments)
        #expect(result.exitCode == 2)
        #expect(result.stderr == "error: \(message)\nsee 'paddock exec --help'\n")
        #expect(result.requests.isEmpty)
    }

    @Test("--stdin-file that is not UTF-8 is refused: the API takes stdin as text")
    func binaryStdin() async throws {
        let path = NSTemporaryDirectory() + "paddock-cli-\(UUID().uuidString).bin"
        try Data([0xFF, 0x00, 0xFE]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = await runCLI(["exec", "sess_01", "--stdin-file", path, "--", "cat"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.hasPrefix("error: --stdin-file '\(path)' is not UTF-8 text"))
    }

    @Test("--help after -- belongs to the command")
    func helpAfterTerminator() async {
        let server = FakeServer { _ in execResponse([exitEvent()]) }
        let result = await runCLI(["exec", "sess_01", "--", "ls", "--help"], server: server)
        #expect(result.exitCode == 0)
        #expect(result.body()?["command"] == ["ls", "--help"])
    }

    @Test("the top-level help lists the session, exec, cp, run and image commands")
    func topLevelHelp() async {
        let help = await runCLI(["--help"]).stdout
        for line in [
            "  session        create, list, show and delete sessions; logs and egress",
            "  exec           run a command in a running session, streaming its output",
            "  cp             copy a file into or out of a session",
            "  run            run one command in a new session, then delete the session",
            "  image          show, prune and build the image cache",
        ] {
            #expect(help.contains(line + "\n"), "missing: \(line)")
        }
    }

    @Test("exec --help matches the snapshot")
    func helpSnapshot() async {
        let result = await runCLI(["exec", "--help"])
        #expect(result.stdout == Self.help)
    }

    static let help = """
        OVERVIEW: run a command in a running session, streaming its output

        USAGE: paddock exec SESSION [--cwd DIR] [--user USER] [--stdin-file FILE]
                            [--shell TEXT] [--env-var KEY=VALUE]... [--timeout S]
                            [--json] -- COMMAND [ARG]...

        ARGUMENTS:
          SESSION              the session's id (sess_…), as `paddock session list`
                               shows it
          -- COMMAND [ARG]...  the program and its arguments, each passed as one
                               argument (no shell)

        OPTIONS:
          --cwd DIR            the working directory, an absolute path (default
                               /workspace)
          --user USER          run as this user (a name or uid) instead of root
          --stdin-file FILE    send this file's text as the command's standard input
                               (FILE - reads paddock's own standard input)
          --shell TEXT         run TEXT with /bin/sh -c instead of the command after --
          --env-var KEY=VALUE  an environment variable for this command; repeat for more
          --timeout S          kill the command after this many seconds (server default
                               600)
          --json               wait for the command and print the API's JSON result
                               instead of streaming
          -h, --help           show this help

        GLOBAL OPTIONS:
          --url URL            the Paddock server (env PADDOCK_URL; default
                               http://127.0.0.1:8080)
          --api-key KEY        the API key to use (env PADDOCK_API_KEY; default: the
                               contents of DIR/admin.key)
          --data DIR           the server's data directory, where admin.key is read from
                               (env PADDOCK_DATA; default ./data)

        The command's stdout and stderr are written to paddock's stdout and stderr as they
        arrive, byte for byte. paddock exits with the command's exit code: 128+N when signal
        N killed it, 124 when it timed out.

        EXAMPLES:
          paddock exec sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F -- python3 -c 'print(1)'
          paddock exec sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F --cwd /tmp -- ls -la
          paddock exec sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F --shell 'ls | wc -l'
          paddock exec sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F --stdin-file - -- wc -c < data.txt

        """
}

/// A value set from another task.
final class Captured: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?
    func set(_ value: String) { lock.withLock { stored = value } }
    var value: String? { lock.withLock { stored } }
}

@Suite("NDJSON line reassembly")
struct ExecLineSplitterTests {
    @Test("lines split across pieces are joined; a final line without a newline is kept")
    func splitAcrossPieces() {
        var splitter = LineSplitter()
        #expect(splitter.append(Array("{\"a\":".utf8)) == [])
        #expect(splitter.append(Array("1}\n{\"b\"".utf8)) == [Array("{\"a\":1}".utf8)])
        #expect(splitter.append(Array(":2}\r\n\n{\"c\":3}".utf8)) == [Array("{\"b\":2}".utf8), []])
        #expect(splitter.finish() == Array("{\"c\":3}".utf8))
        #expect(splitter.finish() == nil)
    }
}
