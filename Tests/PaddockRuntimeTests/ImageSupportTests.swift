import Foundation
import Testing
import PaddockCore
@testable import PaddockRuntime

@Suite("Image build support")
struct ImageSupportTests {
    @Test("the log tail keeps the last lines, across chunk boundaries")
    func logTail() {
        var tail = LogTail(maxLines: 3)
        tail.append(Array("one\ntwo\nthr".utf8))
        tail.append(Array("ee\r\nfour\nfi".utf8))
        #expect(tail.text == "three\nfour\nfi")
        for i in 0..<1000 { tail.append(Array("line \(i)\n".utf8)) }
        #expect(tail.text == "line 997\nline 998\nline 999")
    }

    @Test("a command's exit status and output tail are reported")
    func loggedCommand() async throws {
        let environment = ProcessInfo.processInfo.environment
        let counted = try await LoggedCommand.run(["seq", "1", "500"], environment: environment, tailLines: 200)
        #expect(counted.status == 0)
        #expect(counted.log.split(separator: "\n").first == "301")
        #expect(counted.log.split(separator: "\n").last == "500")
        let failed = try await LoggedCommand.run(["false"], environment: environment)
        #expect(failed.status == 1)
        await #expect(throws: PaddockError.self) {
            try await LoggedCommand.run(["paddock-no-such-tool"], environment: environment)
        }
    }

    @Test("mirror settings accept http(s) URLs", arguments: [
        "http://deb.debian.org/debian", "https://pypi.org/simple", "http://127.0.0.1:4873/", "https://[::1]:8080/x",
    ])
    func mirrorAccepted(url: String) throws {
        #expect(try MirrorSettings(debian: url).debian == url)
    }

    @Test("mirror settings refuse anything that is not a plain http(s) URL", arguments: [
        "", "ftp://deb.debian.org/debian", "deb.debian.org/debian", "http://", "http:///debian",
        "http://deb.debian.org/debian main contrib", "http://x/\"y", "http://x/\ny", "http://user:pw@x/",
        "http://ünicode.example/",
    ])
    func mirrorRefused(url: String) {
        #expect(throws: PaddockError.self) { try MirrorSettings(npmRegistry: url) }
    }

    @Test("tree removal deletes files, links and read-only directories without following links")
    func removeTree() throws {
        let dir = try ImageTestDirectory("tree")
        defer { dir.remove() }
        let outside = try ImageTestDirectory("outside")
        defer { outside.remove() }
        try outside.write("keep", size: 10)
        try dir.write("root/a/b/c/file", size: 5000)
        try FileManager.default.createSymbolicLink(atPath: "\(dir.path)/root/a/link", withDestinationPath: outside.path)
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: "\(dir.path)/root/a/b")
        #expect(DirectoryTree.allocatedBytes(at: "\(dir.path)/root") >= 5000)
        try DirectoryTree.remove("\(dir.path)/root")
        #expect(dir.names().isEmpty)
        #expect(outside.names() == ["keep"])
        try DirectoryTree.remove("\(dir.path)/missing")
    }

    @Test("tree removal stops at a mount point instead of emptying the mounted filesystem")
    func removeStopsAtMounts() async throws {
        let dir = try ImageTestDirectory("mounted")
        defer { dir.remove() }
        try dir.write("root/dev/.keep", size: 0)
        let environment = ProcessInfo.processInfo.environment
        let mount = try await LoggedCommand.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", "\(dir.path)/root/dev"],
                                                environment: environment)
        try #require(mount.status == 0, "mounting a tmpfs needs root: \(mount.log)")
        defer { _ = umount2("\(dir.path)/root/dev", Int32(MNT_DETACH)) }
        try dir.write("root/dev/precious", size: 10)
        #expect(throws: PaddockError.self) { try DirectoryTree.remove("\(dir.path)/root") }
        #expect(FileManager.default.fileExists(atPath: "\(dir.path)/root/dev/precious"))
    }

    @Test("hard-linked files count once")
    func hardLinks() throws {
        let dir = try ImageTestDirectory("links")
        defer { dir.remove() }
        try dir.write("tree/one", size: 64 * 1024)
        let single = DirectoryTree.allocatedBytes(at: "\(dir.path)/tree")
        try FileManager.default.linkItem(atPath: "\(dir.path)/tree/one", toPath: "\(dir.path)/tree/two")
        #expect(DirectoryTree.allocatedBytes(at: "\(dir.path)/tree") == single)
    }
}

@Suite("directory trees of any depth")
struct DeepDirectoryTreeTests {
    @Test("a tree 5000 levels deep is measured and removed without overflowing the stack")
    func deepTree() throws {
        let dir = try ImageTestDirectory("deep")
        defer { dir.remove() }
        var fd = open(dir.path, O_RDONLY | O_DIRECTORY)
        try #require(fd >= 0)
        for _ in 0..<5000 {
            #expect(mkdirat(fd, "d", 0o755) == 0)
            let child = openat(fd, "d", O_RDONLY | O_DIRECTORY)
            close(fd)
            fd = child
        }
        let file = openat(fd, "leaf", O_WRONLY | O_CREAT, 0o644)
        close(file)
        close(fd)
        #expect(DirectoryTree.allocatedBytes(at: dir.path) > 5000 * 512)
        try DirectoryTree.remove(dir.path)
        #expect(!FileManager.default.fileExists(atPath: dir.path))
    }
}
