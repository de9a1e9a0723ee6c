import PaddockJSON
import Testing
@testable import PaddockCore

/// The exec body rules of api.md, "Exec" (helpers in SessionRequestTests.swift).
@Suite("session exec requests")
struct SessionExecRequestTests {
    private func parse(_ body: String) throws -> SessionExecRequest {
        try SessionExecRequest.parse(requestJSON(body))
    }

    @Test("an argv command gets every default")
    func defaults() throws {
        let request = try parse(#"{"command": ["python3", "-c", "print(1)"]}"#)
        #expect(request.argv == ["python3", "-c", "print(1)"])
        #expect(request.cwd == nil)
        #expect(request.env.isEmpty)
        #expect(request.stdin == nil)
        #expect(request.timeoutSeconds == 600 && request.timeoutSeconds == SessionExecRequest.defaultTimeoutSeconds)
        #expect(request.timeoutMilliseconds == 600_000)
        #expect(request.user == nil)
        #expect(request.encoding == .utf8)
        #expect(!request.base64Output)
    }

    @Test("a string command runs under /bin/sh -c")
    func shellString() throws {
        #expect(try parse(#"{"command": "ls | wc -l"}"#).argv == ["/bin/sh", "-c", "ls | wc -l"])
        // The string is one argument, never split.
        #expect(try parse(#"{"command": "echo 'a b'"}"#).argv.count == 3)
    }

    @Test("every field set")
    func everyField() throws {
        let request = try parse("""
            {"command": ["env"], "cwd": "/workspace/src", "env": {"X": "1"}, "stdin": "data\\u0000more",
             "timeout_seconds": 0.25, "user": "nobody:nogroup", "encoding": "base64"}
            """)
        #expect(request.cwd == "/workspace/src")
        #expect(request.env.map(\.name) == ["X"])
        #expect(request.stdin == "data\u{0}more")
        #expect(request.timeoutSeconds == 0.25)
        #expect(request.timeoutMilliseconds == 250)
        #expect(request.user == "nobody:nogroup")
        #expect(request.encoding == .base64)
        #expect(request.base64Output)
    }

    @Test("bad commands are refused, naming the field or the argument", arguments: [
        (#"{}"#, "command"), (#"{"command": []}"#, "command"), (#"{"command": ""}"#, "command"),
        (#"{"command": "   "}"#, "command"), (#"{"command": 5}"#, "command"), (#"{"command": null}"#, "command"),
        (#"{"command": {"argv": ["ls"]}}"#, "command"), (#"{"command": [""]}"#, "command[0]"),
        (#"{"command": ["ls", 1]}"#, "command[1]"), (#"{"command": ["ls", null]}"#, "command[1]"),
        (#"{"command": ["ls", "a\u0000b"]}"#, "command[1]"), (#"{"command": "ls\u0000"}"#, "command"),
        (#"{"command": ["ls"], "argv": ["ls"]}"#, "argv"),
    ])
    func badCommands(body: String, param: String) throws {
        let value = try requestJSON(body)
        expectInvalidRequest(param) { try SessionExecRequest.parse(value) }
    }

    @Test("the arguments together are bounded like the kernel's argv")
    func totalCommandSize() throws {
        let argument = String(repeating: "a", count: 100_000)
        let items = (0..<30).map { _ in "\"\(argument)\"" }.joined(separator: ", ")
        let value = try requestJSON(#"{"command": ["echo", "# + items + "]}")
        expectInvalidRequest("command") { try SessionExecRequest.parse(value) }
    }

    @Test("an empty argument after the program is fine")
    func emptyArgument() throws {
        #expect(try parse(#"{"command": ["printf", ""]}"#).argv == ["printf", ""])
    }

    @Test("argument size and count limits")
    func argumentLimits() throws {
        let longest = String(repeating: "a", count: SessionExecRequest.maxArgumentBytes)
        #expect(try parse(#"{"command": ["echo", "\#(longest)"]}"#).argv[1].utf8.count == 131_071)
        expectInvalidRequest("command[1]") { try parse(#"{"command": ["echo", "\#(longest)a"]}"#) }
        expectInvalidRequest("command") { try parse(#"{"command": "\#(longest)a"}"#) }
        let many = (0..<4096).map { _ in "\"a\"" }.joined(separator: ",")
        #expect(try parse(#"{"command": [\#(many)]}"#).argv.count == 4096)
        expectInvalidRequest("command") { try parse(#"{"command": [\#(many),"a"]}"#) }
    }

    @Test("cwd must be an absolute path outside /proc/<pid>/fd", arguments: [
        "relative", "./x", "", "/tmp/a\\u0000b", "/proc/self/fd", "/proc/1/fd/3", "/proc/thread-self/fd",
        "/proc/self/task/1/fd", "//proc//self/./fd", "/tmp/../proc/self/fd/../fd", String(repeating: "/a", count: 2048),
    ])
    func badCwd(cwd: String) throws {
        let value = try requestJSON(#"{"command": ["pwd"], "cwd": "\#(cwd)"}"#)
        expectInvalidRequest("cwd") { try SessionExecRequest.parse(value) }
    }

    @Test("acceptable cwd values", arguments: ["/", "/workspace", "/proc", "/proc/self", "/proc/self/fdinfo", "/proc/self/cwd", "/a/b/../c"])
    func goodCwd(cwd: String) throws {
        #expect(try parse(#"{"command": ["pwd"], "cwd": "\#(cwd)"}"#).cwd == cwd)
    }

    @Test("cwd of the wrong type")
    func cwdType() throws {
        expectInvalidRequest("cwd") { try parse(#"{"command": ["pwd"], "cwd": 1}"#) }
        expectInvalidRequest("cwd") { try parse(#"{"command": ["pwd"], "cwd": null}"#) }
    }

    @Test("a relative cwd names the fix")
    func relativeMessage() throws {
        let error = expectInvalidRequest("cwd") { try parse(#"{"command": ["pwd"], "cwd": "src"}"#) }
        #expect(error?.message == "cwd: 'src' is a relative path; give an absolute one, starting with '/' (e.g. '/workspace')")
    }

    @Test("timeout bounds", arguments: [
        ("0.001", true), ("1", true), ("86400", true), ("86400.001", false), ("86401", false), ("0", false),
        ("-1", false), ("1e-400", false), ("1e400", false), ("\"10\"", false), ("null", false),
    ])
    func timeout(literal: String, accepted: Bool) throws {
        let value = try requestJSON(#"{"command": ["true"], "timeout_seconds": \#(literal)}"#)
        if accepted {
            #expect(try SessionExecRequest.parse(value).timeoutSeconds == Double(literal))
        } else {
            expectInvalidRequest("timeout_seconds") { try SessionExecRequest.parse(value) }
        }
    }

    @Test("stdin is at most 8 MiB")
    func stdinLimit() throws {
        let limit = String(repeating: "s", count: 8 * 1024 * 1024)
        #expect(try parse(#"{"command": ["cat"], "stdin": "\#(limit)"}"#).stdin?.utf8.count == 8 * 1024 * 1024)
        expectInvalidRequest("stdin") { try parse(#"{"command": ["cat"], "stdin": "\#(limit)s"}"#) }
        expectInvalidRequest("stdin") { try parse(#"{"command": ["cat"], "stdin": 5}"#) }
    }

    @Test("valid users", arguments: ["root", "_apt", "www-data", "a1", "0", "1000", "1000:1000", "nobody:nogroup",
                                      "4294967294", "user:0", String(repeating: "u", count: 32)])
    func validUsers(user: String) throws {
        #expect(try parse(#"{"command": ["id"], "user": "\#(user)"}"#).user == user)
    }

    @Test("invalid users", arguments: ["", "Root", "-x", "1a:", ":root", "root:", "a:b:c", "a b", "4294967295",
                                        "99999999999", "ro\\u0000ot", "root:Wheel", "é", String(repeating: "u", count: 33)])
    func invalidUsers(user: String) throws {
        let value = try requestJSON(#"{"command": ["id"], "user": "\#(user)"}"#)
        expectInvalidRequest("user") { try SessionExecRequest.parse(value) }
    }

    @Test("encoding is utf-8 or base64", arguments: [("\"utf-8\"", true), ("\"base64\"", true), ("\"utf8\"", false),
                                                       ("\"UTF-8\"", false), ("\"hex\"", false), ("1", false), ("null", false)])
    func encoding(literal: String, accepted: Bool) throws {
        let value = try requestJSON(#"{"command": ["true"], "encoding": \#(literal)}"#)
        if accepted {
            #expect(try SessionExecRequest.parse(value).encoding.rawValue == requestJSON(literal).stringValue)
        } else {
            expectInvalidRequest("encoding") { try SessionExecRequest.parse(value) }
        }
    }

    @Test("exec env follows the session env rules")
    func env() throws {
        expectInvalidRequest("env.9") { try parse(#"{"command": ["env"], "env": {"9": "x"}}"#) }
        expectInvalidRequest("env") { try parse(#"{"command": ["env"], "env": ["A=1"]}"#) }
    }

    @Test("unknown fields are refused by name")
    func unknown() throws {
        let error = expectInvalidRequest("shell") { try parse(#"{"command": "ls", "shell": true}"#) }
        #expect(error?.message.contains("'command'") == true)
    }
}
