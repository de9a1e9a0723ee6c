import Foundation
import Testing
import PaddockJSON
@testable import PaddockCLI

@Suite("cp")
struct CopyTests {
    static let bytes: [UInt8] = Array(0...255) + Array("\r\n\u{0}é".utf8)

    /// A scratch directory removed at the end of the test.
    final class Scratch {
        let path = NSTemporaryDirectory() + "paddock-cp-\(UUID().uuidString)"
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func file(_ name: String, _ bytes: [UInt8], mode: Int = 0o644) throws -> String {
            let file = path + "/" + name
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
            return file
        }
    }

    @Test("host to session: PUT the raw bytes with the file's mode")
    func upload() async throws {
        let scratch = try Scratch()
        let file = try scratch.file("run.sh", Self.bytes, mode: 0o755)
        let server = FakeServer { _ in FakeServer.json(200, ["path": "/workspace/run.sh"]) }
        let result = await runCLI(["cp", file, "sess_01A:/workspace/run.sh"], server: server)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.calls == ["PUT /v1/sessions/sess_01A/files?path=%2Fworkspace%2Frun.sh&mode=0755"])
        let request = result.requests[0]
        #expect(request.body == Self.bytes)
        #expect(request.headers["content-type"] == "application/octet-stream")
        #expect(request.headers["authorization"] == "Bearer pdk_test")
        #expect(result.stdout.isEmpty)
    }

    @Test("a session path ending in / keeps the local file's name; stdin has mode 0644")
    func uploadIntoDirectory() async throws {
        let scratch = try Scratch()
        let file = try scratch.file("data file.csv", Array("a,b\n".utf8), mode: 0o600)
        let server = FakeServer { _ in FakeServer.json(200, [:]) }
        let result = await runCLI(["cp", file, "sess_01A:/workspace/"], server: server)
        #expect(result.calls == ["PUT /v1/sessions/sess_01A/files?path=%2Fworkspace%2Fdata%20file.csv&mode=0600"])
        let piped = await runCLI(["cp", "-", "sess_01A:/tmp/in"], server: server, input: Self.bytes)
        #expect(piped.exitCode == 0, "stderr: \(piped.stderr)")
        #expect(piped.calls.last == "PUT /v1/sessions/sess_01A/files?path=%2Ftmp%2Fin&mode=0644")
        #expect(piped.requests.last?.body == Self.bytes)
    }

    @Test("session to host: GET the raw bytes into the file, a directory, or stdout")
    func download() async throws {
        let scratch = try Scratch()
        let server = FakeServer { _ in
            APIResponse(status: 200, headers: ["content-type": "application/octet-stream"], body: Self.bytes)
        }
        let target = scratch.path + "/out.bin"
        let toFile = await runCLI(["cp", "sess_01A:/workspace/out.bin", target], server: server)
        #expect(toFile.exitCode == 0, "stderr: \(toFile.stderr)")
        #expect(toFile.calls == ["GET /v1/sessions/sess_01A/files?path=%2Fworkspace%2Fout.bin"])
        #expect(toFile.requests[0].headers["accept"] == "application/octet-stream")
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: target))) == Self.bytes)

        let toDirectory = await runCLI(["cp", "sess_01A:/etc/os-release", scratch.path], server: server)
        #expect(toDirectory.exitCode == 0, "stderr: \(toDirectory.stderr)")
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/os-release"))) == Self.bytes)

        let toStdout = await runCLI(["cp", "sess_01A:/etc/os-release", "-"], server: server)
        #expect(toStdout.exitCode == 0)
        #expect(toStdout.stdoutBytes == Self.bytes)
    }

    @Test("a missing file in the session is the API's 404 and leaves no local file")
    func downloadMissing() async throws {
        let scratch = try Scratch()
        let server = FakeServer { _ in FakeServer.error(404, "not_found_error", "no file /workspace/nope in sess_01A") }
        let result = await runCLI(["cp", "sess_01A:/workspace/nope", scratch.path + "/nope"], server: server)
        #expect(result.exitCode == 1)
        #expect(result.stderr == "error: no file /workspace/nope in sess_01A\n")
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/nope"))
    }

    @Test("which side is in a session", arguments: [
        ("sess_01A:/a", CopyLocation.session(id: "sess_01A", path: "/a")),
        ("./sess_01A:/a", .local("./sess_01A:/a")),
        ("/tmp/x:y", .local("/tmp/x:y")),
        ("file.txt", .local("file.txt")),
        ("-", .standardStream),
    ])
    func locations(text: String, location: CopyLocation) throws {
        #expect(try CopyLocation(text) == location)
    }

    @Test("cp refuses what it cannot do with exit 2 and no request", arguments: [
        (["cp", "a.txt", "b.txt"], "neither side is in a session; write one as SESSION:/abs/path, e.g. sess_…:/workspace/file"),
        (["cp", "sess_01A:/a", "sess_01B:/b"], "both sides are in sessions; copy to this machine first, then into the other session"),
        (["cp", "a.txt", "sess_01A:workspace/a"],
         "the path inside session sess_01A must be absolute, e.g. sess_01A:/workspace/file (got 'workspace/a')"),
        (["cp", "sess_01A:/workspace/", "."], "'sess_01A:/workspace/' names a directory; cp copies single files"),
        (["cp", "/nonexistent/file", "sess_01A:/a"], "'/nonexistent/file': no such file"),
        (["cp", "a.txt"], "missing argument DST"),
    ])
    func usage(arguments: [String], message: String) async {
        let result = await runCLI(arguments)
        #expect(result.exitCode == 2)
        #expect(result.stderr == "error: \(message)\nsee 'paddock cp --help'\n")
        #expect(result.requests.isEmpty)
    }

    @Test("a local directory is refused with exit 2")
    func directorySource() async throws {
        let scratch = try Scratch()
        let result = await runCLI(["cp", scratch.path, "sess_01A:/workspace/"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.hasPrefix("error: '\(scratch.path)' is a directory; cp copies single files\n"))
        #expect(result.requests.isEmpty)
    }
}
