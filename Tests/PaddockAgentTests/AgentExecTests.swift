import Foundation
import Glibc
import PaddockAgentProtocol
import Testing

@Suite("paddock-init runs commands")
struct AgentExecTests {
    @Test("echo hi prints hi and exits 0")
    func echo() throws {
        let agent = try AgentUnderTest()
        let result = try agent.run(["echo", "hi"])
        #expect(text(result.stdout) == "hi\n")
        #expect(result.stderr.isEmpty)
        #expect(result.exit?.exitCode == 0)
        #expect(result.exit?.signal == nil)
        #expect(result.pid != nil)
        #expect((result.exit?.durationMs ?? -1) >= 0)
    }

    @Test("argv with spaces, quotes and shell characters is passed verbatim")
    func argvVerbatim() throws {
        let agent = try AgentUnderTest()
        let arguments = ["a b", "'single'", "\"double\"", "$HOME", "*", "back\\slash", "", "é😀", "semi;colon"]
        let result = try agent.run(["printf", "[%s]\n"] + arguments)
        #expect(text(result.stdout) == arguments.map { "[\($0)]\n" }.joined())
    }

    @Test("the environment is exactly the one given")
    func environment() throws {
        let agent = try AgentUnderTest()
        let result = try agent.run(["env"], env: [("GREETING", "hello world"), ("EMPTY", ""), ("EQ", "a=b")])
        #expect(text(result.stdout) == "PATH=\(AgentUnderTest.path)\nGREETING=hello world\nEMPTY=\nEQ=a=b\n")
    }

    @Test("the working directory is honoured")
    func workingDirectory() throws {
        let agent = try AgentUnderTest()
        let result = try agent.run(["pwd"], cwd: agent.directory)
        let expected = URL(fileURLWithPath: agent.directory).resolvingSymlinksInPath().path
        #expect(text(result.stdout) == expected + "\n")
        let fallback = try agent.run(["pwd"])
        let defaultDirectory = FileManager.default.fileExists(atPath: "/workspace") ? "/workspace" : "/"
        #expect(text(fallback.stdout) == defaultDirectory + "\n")
    }

    @Test("a relative cwd or one under /proc/<pid>/fd is refused by the agent",
          arguments: [("relative/dir", "cwd must be an absolute path"),
                      ("/proc/self/fd/7", "cwd must not be under /proc/<pid>/fd: /proc/self/fd/7")])
    func refusedCwd(cwd: String, message: String) throws {
        let agent = try AgentUnderTest()
        let frames = try agent.sendRawExec(json: #"{"argv":["pwd"],"cwd":"\#(cwd)"}"#)
        #expect(frames == [.hello(version: AgentProtocol.version), .error(AgentError(.invalidArgument, message))])
        #expect(throws: AgentError(.invalidArgument, message)) { _ = try agent.run(["pwd"], cwd: cwd) }
    }

    @Test("a symlink into /proc/self/fd is refused after resolving it")
    func symlinkIntoProcFd() throws {
        let agent = try AgentUnderTest()
        let link = agent.directory + "/fds"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/proc/self/fd")
        #expect(throws: AgentError(.invalidArgument, "cwd must not be under /proc/<pid>/fd: \(link)")) {
            _ = try agent.run(["pwd"], cwd: link)
        }
    }

    @Test("a missing cwd is an error")
    func missingCwd() throws {
        let agent = try AgentUnderTest()
        #expect(throws: AgentError(.invalidArgument, "cwd does not exist: /no/such/dir")) {
            _ = try agent.run(["pwd"], cwd: "/no/such/dir")
        }
    }

    @Test("an unknown command exits 127 with a message on stderr")
    func unknownCommand() throws {
        let agent = try AgentUnderTest()
        let result = try agent.run(["no-such-command-paddock"])
        #expect(result.exit?.exitCode == 127)
        #expect(text(result.stderr).contains("no-such-command-paddock: command not found"))
        #expect(result.pid == nil)
        let byPath = try agent.run(["/no/such/program"])
        #expect(byPath.exit?.exitCode == 127)
    }

    @Test("a file that is not executable exits 126")
    func notExecutable() throws {
        let agent = try AgentUnderTest()
        let file = agent.directory + "/plain"
        try writeFile(file, Array("echo no\n".utf8), mode: 0o644)
        let result = try agent.run([file])
        // Even root needs an execute bit for execve.
        #expect(result.exit?.exitCode == 126)
        #expect(text(result.stderr).contains("Permission denied"))
        let searched = try agent.run(["plain"], env: [("PATH", agent.directory)])
        #expect(searched.exit?.exitCode == 126)
    }

    @Test("a script without #! runs under /bin/sh, as execvp does")
    func scriptWithoutShebang() throws {
        let agent = try AgentUnderTest()
        let file = agent.directory + "/script"
        try writeFile(file, Array("echo from script $1\n".utf8), mode: 0o755)
        let result = try agent.run([file, "arg"])
        #expect(text(result.stdout) == "from script arg\n")
    }

    @Test("the exit code is reported", arguments: [0, 1, 3, 255])
    func exitCode(code: Int) throws {
        let agent = try AgentUnderTest()
        let result = try agent.run(["sh", "-c", "exit \(code)"])
        #expect(result.exit?.exitCode == code)
        #expect(result.exit?.signal == nil)
    }

    @Test("a signal death reports the signal and no exit code")
    func signalDeath() throws {
        let agent = try AgentUnderTest()
        let result = try agent.run(["sh", "-c", "kill -TERM $$"])
        #expect(result.exit?.exitCode == nil)
        #expect(result.exit?.signal == Int(SIGTERM))
        #expect(result.exit?.oomKilled == false)
    }

    @Test("stdin round-trips through cat", arguments: [0, 5, 3 << 20])
    func stdinRoundTrip(size: Int) throws {
        let agent = try AgentUnderTest()
        let input = randomBytes(size)
        let result = try agent.run(["cat"], stdin: input)
        #expect(result.stdout == input)
        #expect(result.exit?.exitCode == 0)
    }

    @Test("without stdin the command reads end-of-file")
    func noStdin() throws {
        let agent = try AgentUnderTest()
        let result = try agent.run(["cat"])
        #expect(result.stdout.isEmpty)
        #expect(result.exit?.exitCode == 0)
    }

    @Test("large outputs arrive byte-exact",
          arguments: [(1 << 20) - 1, 1 << 20, (1 << 20) + 1, 1 << 24])
    func largeOutput(size: Int) throws {
        let agent = try AgentUnderTest()
        let bytes = randomBytes(size)
        let file = agent.directory + "/data"
        try writeFile(file, bytes)
        let result = try agent.run(["cat", file])
        #expect(result.stdout.count == size)
        #expect(result.stdout == bytes)
        #expect(result.stdoutTruncated == false)
        let onStderr = try agent.run(["sh", "-c", "cat \"$0\" >&2", file])
        #expect(onStderr.stderr == bytes)
        #expect(onStderr.stdout.isEmpty)
    }

    @Test("output past the cap is cut at exactly the cap and marked truncated",
          arguments: [(size: 1 << 20, cap: 1 << 20, truncated: false),
                      (size: (1 << 20) + 1, cap: 1 << 20, truncated: true),
                      (size: 3 << 20, cap: 1000, truncated: true),
                      (size: 10, cap: 0, truncated: true)])
    func cap(size: Int, cap: Int, truncated: Bool) throws {
        let agent = try AgentUnderTest()
        let bytes = randomBytes(size)
        let file = agent.directory + "/data"
        try writeFile(file, bytes)
        let result = try agent.run(["cat", file], maxOutputBytes: cap)
        #expect(result.stdout == Array(bytes.prefix(cap)))
        #expect(result.exit?.stdoutTruncated == truncated)
        #expect(result.exit?.stderrTruncated == false)
        #expect(result.exit?.exitCode == 0)
    }
}
