import Foundation
import PaddockCore

/// The leases on disk: one file `<session id>.lease` per session holding its /30, so that a
/// restarted server knows which block each surviving session holds.
///
/// Blocking file I/O; call it off the cooperative pool.
struct LeaseFiles: Sendable {
    /// The directory of the lease files (created 0700).
    let directory: String

    static let fileExtension = ".lease"

    /// Creates the directory when it is missing.
    init(directory: String) throws(PaddockError) {
        self.directory = directory
        try ImageFiles.makeDirectory(directory)
        chmod(directory, 0o700)
    }

    /// Every lease on disk by session id; unreadable or malformed files are reported in
    /// `problems` and left alone.
    func load() -> (leases: [String: SessionLease], problems: [String]) {
        var leases: [String: SessionLease] = [:]
        var problems: [String] = []
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names.sorted() where name.hasSuffix(Self.fileExtension) {
            let id = String(name.dropLast(Self.fileExtension.count))
            guard SessionLayout.isValidID(id) else { continue }
            guard let data = FileManager.default.contents(atPath: path(id)) else {
                problems.append("cannot read the lease \(path(id))")
                continue
            }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            do throws(PaddockError) {
                leases[id] = try SessionLease(subnet: IPv4Network.parse(text, param: "lease"))
            } catch {
                problems.append("the lease \(path(id)) is malformed: \(error.message)")
            }
        }
        return (leases, problems)
    }

    /// Writes the lease of `id` (atomically: a temporary file renamed into place).
    func save(_ lease: SessionLease, for id: String) throws(PaddockError) {
        let target = path(id)
        let temporary = target + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data("\(lease.subnet)\n".utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw PaddockError(.internal, "cannot write the address lease \(temporary) of session \(id)")
        }
        guard rename(temporary, target) == 0 else {
            let code = errno
            unlink(temporary)
            throw PaddockError(.internal, "cannot write the address lease \(target): \(String(cString: strerror(code)))")
        }
    }

    /// Removes the lease of `id`; a missing file is fine.
    func remove(_ id: String) {
        unlink(path(id))
    }

    /// `<directory>/<id>.lease`.
    func path(_ id: String) -> String { "\(directory)/\(id)\(Self.fileExtension)" }
}
