import Foundation

/// `paddock cp SRC DST`: copies one file into a session (`PUT /v1/sessions/{id}/files`)
/// or out of one (`GET …/files`), raw bytes both ways.
///
/// Decisions: exactly one side is `SESSION:/abs/path`; a session path ending in `/` names
/// a directory and the source's file name is appended; the uploaded file keeps the local
/// file's permission bits (`mode`, octal); directories are refused, since the API moves
/// one file per call.
struct Copy: ParsableCommand {
    static let configuration = CommandConfiguration(
        name: "cp",
        abstract: "copy a file into or out of a session",
        parameters: [
            .argument("source", label: "SRC", help: "a local file, - for standard input, or SESSION:/abs/path"),
            .argument("destination", label: "DST",
                      help: "a local file or directory, - for standard output, or SESSION:/abs/path (a trailing / keeps the source's name)"),
        ],
        discussion: """
            Exactly one of SRC and DST is in a session. Files only: directories are not copied.

            EXAMPLES:
              paddock cp data.csv sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F:/workspace/
              paddock cp sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F:/workspace/out.png ./out.png
              paddock cp sess_01JEX6Q0W5M3T9ZK8B7N2C4D6F:/etc/os-release -
            """)

    let source: CopyLocation
    let destination: CopyLocation

    init(from arguments: ParsedArguments) throws(CLIFailure) {
        source = try CopyLocation(arguments.argument("source") ?? "")
        destination = try CopyLocation(arguments.argument("destination") ?? "")
    }

    func validate() throws(CLIFailure) {
        switch (source.isSession, destination.isSession) {
        case (false, false):
            throw .usage("neither side is in a session; write one as SESSION:/abs/path, e.g. sess_…:/workspace/file")
        case (true, true):
            throw .usage("both sides are in sessions; copy to this machine first, then into the other session")
        default:
            break
        }
    }

    func run(in context: CommandContext) async throws {
        let client = try context.client()
        switch (source, destination) {
        case (.session(let id, let path), let local):
            try await download(id: id, path: path, to: local, client: client, context: context)
        case (let local, .session(let id, let path)):
            try await upload(local, id: id, path: path, client: client, context: context)
        default:
            break
        }
    }

    /// Host → session: the raw bytes, with the local file's permission bits as `mode`.
    private func upload(_ local: CopyLocation, id: String, path: String, client: APIClient,
                        context: CommandContext) async throws {
        let bytes: [UInt8]
        var mode = 0o644
        var targetPath = path
        switch local {
        case .standardStream:
            if targetPath.hasSuffix("/") {
                throw CLIFailure.usage("standard input has no file name; give the full path inside the session")
            }
            bytes = try await ExecFields.offPool { try context.console.readInput() }
        case .local(let file):
            let attributes = try Self.attributes(of: file)
            guard attributes[.type] as? FileAttributeType != .typeDirectory else {
                throw CLIFailure.usage("'\(file)' is a directory; cp copies single files")
            }
            mode = (attributes[.posixPermissions] as? Int ?? 0o644) & 0o7777
            bytes = try await ExecFields.offPool { [UInt8](try Data(contentsOf: URL(fileURLWithPath: file))) }
            if targetPath.hasSuffix("/") {
                targetPath += (file as NSString).lastPathComponent
            }
        case .session:
            return
        }
        _ = try await client.sendRaw("PUT", SessionReference.path(id, "files"),
                                     query: [("path", targetPath), ("mode", Self.octal(mode))],
                                     body: bytes, contentType: "application/octet-stream", accept: "application/json")
    }

    /// Session → host: the raw bytes into a local file (or a directory, keeping the name), or stdout.
    private func download(id: String, path: String, to local: CopyLocation, client: APIClient,
                          context: CommandContext) async throws {
        if path.hasSuffix("/") {
            throw CLIFailure.usage("'\(id):\(path)' names a directory; cp copies single files")
        }
        var target: String
        switch local {
        case .standardStream:
            let response = try await client.sendRaw("GET", SessionReference.path(id, "files"),
                                                    query: [("path", path)], accept: "application/octet-stream")
            context.console.writeOutputBytes(response.body)
            return
        case .local(let file):
            target = file
        case .session:
            return
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), isDirectory.boolValue {
            target = (target as NSString).appendingPathComponent((path as NSString).lastPathComponent)
        } else if target.hasSuffix("/") {
            throw CLIFailure.failed("directory '\(target)' does not exist")
        }
        let response = try await client.sendRaw("GET", SessionReference.path(id, "files"),
                                                query: [("path", path)], accept: "application/octet-stream")
        let finalTarget = target
        do {
            try await ExecFields.offPool {
                try Data(response.body).write(to: URL(fileURLWithPath: finalTarget), options: .atomic)
            }
        } catch {
            throw CLIFailure.failed("cannot write '\(finalTarget)': \((error as NSError).localizedDescription)")
        }
    }

    /// The attributes of a local file, or a usage error naming it.
    private static func attributes(of file: String) throws(CLIFailure) -> [FileAttributeKey: Any] {
        do {
            return try FileManager.default.attributesOfItem(atPath: file)
        } catch {
            throw .usage("'\(file)': no such file")
        }
    }

    /// `0644` for 0o644.
    static func octal(_ mode: Int) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
