import Foundation
import PaddockTestSupport
import Glibc
@testable import PaddockRuntime

/// A throwaway root filesystem made from host binaries and the shared libraries `ldd` finds
/// for them (no network, no image), plus a bundle directory and a runc state directory, all
/// under one temp directory removed on `deinit`.
final class RootfsFixture {
    /// The programs copied in; missing ones are skipped.
    static let programs = [
        "/bin/sh", "/bin/cat", "/bin/sleep", "/usr/bin/env", "/bin/ls", "/usr/bin/id", "/bin/grep",
        "/usr/bin/head", "/usr/bin/wc", "/bin/hostname", "/usr/bin/unshare", "/bin/mount", "/bin/pwd",
    ]

    /// Whether real containers can run here: root and runc present.
    static var canRunContainers: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/runc")
    }

    /// The temp directory holding everything.
    let directory: String
    /// The root filesystem.
    var rootfs: String { directory + "/rootfs" }
    /// The bundle directory (config.json only).
    var bundle: String { directory + "/bundle" }
    /// runc's `--root`.
    var runcRoot: String { directory + "/runc" }

    init() throws {
        let files = FileManager.default
        directory = (NSTemporaryDirectory() as NSString).appendingPathComponent("paddock-rootfs-\(UUID().uuidString.prefix(8))")
        try files.createDirectory(atPath: directory + "/rootfs", withIntermediateDirectories: true)
        try mirrorTopLevelLinks()
        var libraries = Set<String>()
        for program in Self.programs where files.fileExists(atPath: program) {
            try copy(program, mode: 0o755)
            libraries.formUnion(try Self.sharedLibraries(of: program))
        }
        for library in libraries.sorted() {
            try copy(library, mode: 0o755)
        }
        for directory in ["etc", "tmp", "root"] {
            try files.createDirectory(atPath: rootfs + "/" + directory, withIntermediateDirectories: true)
        }
        chmod(rootfs + "/tmp", 0o1777)
        try Data("root:x:0:0:root:/root:/bin/sh\n".utf8).write(to: URL(fileURLWithPath: rootfs + "/etc/passwd"))
        try Data("root:x:0:\n".utf8).write(to: URL(fileURLWithPath: rootfs + "/etc/group"))
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A spec for `arguments` in this rootfs with small limits and the given hostname.
    func specification(
        _ arguments: [String], hostname: String = "paddock-test", pids: Int = 64, memoryMB: Int = 64
    ) throws -> SessionSpecification {
        try SessionSpecification(
            rootfs: rootfs, hostname: hostname, arguments: arguments,
            resources: ResourceLimits(cpus: 1, memoryMB: memoryMB, pids: pids),
            openFilesLimit: HostLimits.attainableOpenFiles(SessionHardening.openFilesLimit))
    }

    /// The runc driver of this fixture.
    func runc() throws -> Runc { try Runc(root: runcRoot) }

    /// A fresh container id.
    static func containerID() -> String { "paddock-test-\(UUID().uuidString.prefix(8).lowercased())" }

    /// Runs `sh -c script` to completion in a hardened container of this rootfs.
    func run(
        _ script: String, pids: Int = 64, memoryMB: Int = 64, adjust: (inout OCI.Spec) -> Void = { _ in }
    ) async throws -> ContainerRunResult {
        var spec = try specification(["sh", "-c", script], pids: pids, memoryMB: memoryMB).makeSpec()
        adjust(&spec)
        try BundleWriter().write(spec, to: bundle)
        return try await runc().run(id: Self.containerID(), bundle: bundle)
    }

    /// Read-only binds of host programs and directories at the same paths inside, with the
    /// programs' shared libraries copied into the rootfs (for runtimes too big to copy).
    func hostBinds(programs: [String], directories: [String] = []) throws -> [BindMount] {
        var binds: [BindMount] = []
        for program in programs {
            let resolved = (program as NSString).resolvingSymlinksInPath
            for library in try Self.sharedLibraries(of: resolved) { try copy(library, mode: 0o755) }
            binds.append(try BindMount(source: resolved, destination: program))
        }
        for directory in directories {
            binds.append(try BindMount(source: directory, destination: directory))
        }
        return binds
    }

    /// Where the host has merged `/usr` (`/bin -> usr/bin`), make the same links in the rootfs.
    private func mirrorTopLevelLinks() throws {
        let files = FileManager.default
        for name in ["bin", "sbin", "lib", "lib32", "lib64", "libx32"] {
            guard let target = try? files.destinationOfSymbolicLink(atPath: "/" + name) else { continue }
            try files.createDirectory(atPath: rootfs + "/" + target, withIntermediateDirectories: true)
            try files.createSymbolicLink(atPath: rootfs + "/" + name, withDestinationPath: target)
        }
    }

    /// Copies the file at `path` (following links) to the same path in the rootfs.
    private func copy(_ path: String, mode: mode_t) throws {
        let destination = rootfs + path
        let parent = (destination as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: destination) { return }
        try Data(contentsOf: URL(fileURLWithPath: path)).write(to: URL(fileURLWithPath: destination))
        chmod(destination, mode)
    }

    /// The absolute paths `ldd` prints for `program`, the dynamic loader included.
    private static func sharedLibraries(of program: String) throws -> [String] {
        try HostCommand.run("/usr/bin/ldd", [program]).output.split(separator: "\n").compactMap { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init).first { $0.hasPrefix("/") }
        }
    }
}
