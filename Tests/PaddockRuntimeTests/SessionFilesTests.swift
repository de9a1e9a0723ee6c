import Foundation
import PaddockAgentProtocol
import PaddockCore
import Testing
@testable import PaddockRuntime

/// File access through the host view of the session's root filesystem: exact bytes, and no
/// symlink or `..` planted in the session can reach a host file.
@Suite("sessions: files", .enabled(if: SessionTestBed.canRunSessions))
struct SessionFilesTests {
    private func path(_ raw: String) throws -> SessionPath {
        try SessionPath(raw)
    }

    @Test("a binary file round-trips byte-exact and is the same file inside the session")
    func binaryRoundTrip() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision()
            let bytes = (0..<4).flatMap { _ in (0...255).map { UInt8($0) } }
            try await bed.runtime.writeFile(sessionID: id, path: path("/workspace/new/dir/bytes.bin"), contents: bytes, mode: 0o600)
            #expect(try await bed.runtime.readFile(sessionID: id, path: path("/workspace/new/dir/bytes.bin"), limit: 1 << 20) == bytes)
            let inside = try await bed.shell(id, "stat -c '%a %s' /workspace/new/dir/bytes.bin; sha256sum < /workspace/new/dir/bytes.bin; stat -c %a /workspace/new")
            #expect(inside.text == "600 1024\n\(SHA256.hex(bytes))  -\n755\n")

            // Replacing keeps no temporary file behind; the default mode is 0644.
            try await bed.runtime.writeFile(sessionID: id, path: path("/workspace/new/dir/bytes.bin"), contents: [1, 2, 3], mode: nil)
            #expect(try await bed.runtime.readFile(sessionID: id, path: path("/workspace/new/dir/bytes.bin"), limit: 3) == [1, 2, 3])
            #expect(try await bed.shell(id, "ls -A /workspace/new/dir; stat -c %a /workspace/new/dir/bytes.bin").text == "bytes.bin\n644\n")
        }
    }

    @Test("a written file's pages are charged to the session's memory cgroup, not the server's; a mount point is a 400")
    func writesAreTheSessions() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision()
            func usage() throws -> Int {
                let text = try #require(SessionCgroups.directories(for: id).lazy.compactMap {
                    (try? String(contentsOfFile: $0 + "/memory.usage_in_bytes", encoding: .utf8))
                        ?? (try? String(contentsOfFile: $0 + "/memory.current", encoding: .utf8))
                }.first)
                return try #require(Int(text.trimmingCharacters(in: .whitespacesAndNewlines)))
            }
            let before = try usage()
            let size = 32 << 20
            try await bed.runtime.writeFile(sessionID: id, path: path("/workspace/big.bin"), contents: [UInt8](repeating: 7, count: size),
                                            mode: nil)
            let after = try usage()
            #expect(after - before >= size * 3 / 4, "the session's memory grew by \(after - before) bytes for a \(size)-byte file")
            let error = await #expect(throws: PaddockError.self) {
                try await bed.runtime.writeFile(sessionID: id, path: path("/.paddock/bin/paddock-init"), contents: [1], mode: nil)
            }
            #expect(error?.code == .invalidArgument, "\(String(describing: error))")
        }
    }

    @Test("paths with '..' or without a leading '/' are refused", arguments: ["../../etc/passwd", "/workspace/../../etc/passwd", "etc/passwd"])
    func relativePathsRefused(raw: String) throws {
        #expect(throws: PaddockError.self) { try SessionPath(raw) }
    }

    @Test("a symlink to /etc/shadow planted in the session reads the session's file, not the host's")
    func symlinkReadStaysInside() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision()
            let marker = "session-shadow-\(ImageFiles.token())"
            #expect(try await bed.shell(id, "echo \(marker) > /etc/shadow; ln -s /etc/shadow /workspace/evil; ln -s ../../../../../../etc/shadow /workspace/climb").exit.exitCode == 0)
            let host = FileManager.default.contents(atPath: "/etc/shadow").map { [UInt8]($0) }
            for link in ["/workspace/evil", "/workspace/climb"] {
                let read = try await bed.runtime.readFile(sessionID: id, path: path(link), limit: 1 << 20)
                #expect(String(decoding: read, as: UTF8.self) == marker + "\n")
                #expect(read != host)
            }
        }
    }

    @Test("writes through symlinks pointing out of the session never create a host file")
    func symlinkWriteStaysInside() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision()
            let marker = "paddock-host-marker-\(ImageFiles.token())"
            let hostFile = "/tmp/\(marker)"
            defer { unlink(hostFile) }
            #expect(try await bed.shell(id, "ln -s /../../../../tmp/\(marker) /workspace/link; ln -s /../../../../tmp /workspace/tmpdir").exit.exitCode == 0)

            // The link itself is replaced by the file.
            try await bed.runtime.writeFile(sessionID: id, path: path("/workspace/link"), contents: Array("one".utf8), mode: nil)
            #expect(!FileManager.default.fileExists(atPath: hostFile))
            #expect(try await bed.shell(id, "test -f /workspace/link && ! test -L /workspace/link && cat /workspace/link").text == "one")

            // A symlinked parent resolves inside the session: the session's /tmp gets the file.
            try await bed.runtime.writeFile(sessionID: id, path: path("/workspace/tmpdir/\(marker)"), contents: Array("two".utf8), mode: nil)
            #expect(!FileManager.default.fileExists(atPath: hostFile))
            #expect(try await bed.shell(id, "cat /tmp/\(marker)").text == "two")

            // Missing parents behind a symlink are created inside too.
            try await bed.runtime.writeFile(sessionID: id, path: path("/workspace/tmpdir/\(marker)-dir/file"), contents: [], mode: nil)
            #expect(!FileManager.default.fileExists(atPath: hostFile + "-dir"))
            #expect(try await bed.shell(id, "test -f /tmp/\(marker)-dir/file && echo inside").text == "inside\n")
        }
    }

    @Test("listDirectory shows names sorted, kinds, sizes and modes without following symlinks")
    func listing() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision()
            let setup = "cd /workspace && mkdir b-dir && printf 12345 > c-file && chmod 640 c-file && ln -s /etc a-link && mkfifo d-fifo"
            #expect(try await bed.shell(id, setup).exit.exitCode == 0)
            let entries = try await bed.runtime.listDirectory(sessionID: id, path: path("/workspace"))
            #expect(entries.map(\.name) == ["a-link", "b-dir", "c-file", "d-fifo"])
            #expect(entries.map(\.kind) == [.symlink, .directory, .file, .other])
            #expect(entries[2].size == 5)
            #expect(entries[2].mode == 0o640)
            #expect(entries[1].size == 0)
            #expect(try await bed.runtime.listDirectory(sessionID: id, path: path("/")).contains { $0.name == "workspace" && $0.kind == .directory })
        }
    }

    @Test("missing paths, directories, FIFOs and files over the limit are refused with the right error")
    func readRefusals() async throws {
        try await withSessionTestBed { bed in
            let id = try await bed.provision()
            #expect(try await bed.shell(id, "mkfifo /workspace/fifo && head -c 100 /dev/zero > /workspace/hundred").exit.exitCode == 0)
            let cases: [(String, Int, PaddockError.Code)] = [
                ("/workspace/missing", 10, .notFound),
                ("/workspace", 10, .invalidArgument),
                ("/workspace/fifo", 10, .invalidArgument),
                ("/workspace/hundred", 99, .tooLarge),
            ]
            for (raw, limit, code) in cases {
                do {
                    _ = try await bed.runtime.readFile(sessionID: id, path: path(raw), limit: limit)
                    Issue.record("reading \(raw) succeeded")
                } catch let error as PaddockError {
                    #expect(error.code == code, "\(raw): \(error)")
                    #expect(error.param == "path", "\(raw): \(error)")
                    #expect(error.message.contains(raw))
                }
            }
            #expect(try await bed.runtime.readFile(sessionID: id, path: path("/workspace/hundred"), limit: 100).count == 100)
            await #expect(throws: PaddockError.self) {
                try await bed.runtime.listDirectory(sessionID: id, path: path("/workspace/hundred"))
            }
            await #expect(throws: PaddockError.self) {
                try await bed.runtime.writeFile(sessionID: id, path: path("/workspace"), contents: [], mode: nil)
            }
            await #expect(throws: PaddockError.invalid("mode", "must be permission bits between 0 and 0777")) {
                try await bed.runtime.writeFile(sessionID: id, path: path("/workspace/x"), contents: [], mode: 0o4755)
            }
            await #expect(throws: PaddockError.self) {
                try await bed.runtime.readFile(sessionID: "sess_unknown", path: path("/etc/hostname"), limit: 10)
            }
        }
    }
}
