import Foundation
import PaddockCore

/// Writes OCI bundles: a directory holding `config.json` (the root filesystem is referenced by
/// absolute path, so it need not live inside the bundle).
public struct BundleWriter: Sendable {
    /// Creates a writer.
    public init() {}

    /// Writes `spec` as `<bundle>/config.json`, creating the directory (mode 0700) if needed.
    /// The file appears atomically (written aside, then renamed), mode 0600.
    public func write(_ spec: OCI.Spec, to bundle: String) throws(PaddockError) {
        try ContainerPath.requireAbsolute(bundle, "bundle")
        let data = try spec.jsonData()
        let files = FileManager.default
        let target = bundle + "/config.json"
        let temporary = bundle + "/.config.json.\(UUID().uuidString)"
        do {
            try files.createDirectory(
                atPath: bundle, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard files.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw PaddockError(.internal, "cannot write \(temporary)")
            }
            guard rename(temporary, target) == 0 else {
                throw PaddockError(.internal, "cannot rename \(temporary) to \(target): \(String(cString: strerror(errno)))")
            }
        } catch let error as PaddockError {
            try? files.removeItem(atPath: temporary)
            throw error
        } catch {
            try? files.removeItem(atPath: temporary)
            throw PaddockError(.internal, "cannot write bundle \(bundle): \(error)")
        }
    }

    /// Reads back `<bundle>/config.json`.
    public func read(from bundle: String) throws(PaddockError) -> OCI.Spec {
        guard let data = FileManager.default.contents(atPath: bundle + "/config.json") else {
            throw PaddockError(.notFound, "bundle \(bundle) has no readable config.json")
        }
        return try OCI.Spec(jsonData: data)
    }
}
