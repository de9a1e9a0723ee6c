import Foundation
import PaddockCore

/// One build of one layer, run off the store's actor: lock the key, re-check the cache, run the
/// closure in a temporary directory, measure, write `meta.json`, publish by rename. On any
/// failure the temporary directory is removed and the error rethrown unchanged.
struct LayerBuildJob: Sendable {
    let directory: URL
    let key: LayerKey
    let now: @Sendable () -> Date
    let build: @Sendable (LayerBuildDirectory) async throws -> Void

    func run() async throws -> Layer {
        let root = directory.path
        let final = "\(root)/\(key.hex)"
        let lock = try await BuildLock.acquire("\(root)/\(ImageFiles.lockPrefix)\(key.hex)")
        defer { lock.release() }
        if ImageFiles.isDirectory("\(final)/\(LayerMetadata.rootfsName)") { return published(final) }

        let temporary = "\(root)/\(ImageFiles.temporaryPrefix)\(key.hex)-\(ImageFiles.token())"
        let rootfs = "\(temporary)/\(LayerMetadata.rootfsName)"
        let scratch = "\(temporary)/scratch"
        do {
            try ImageFiles.makeDirectory(rootfs)
            try ImageFiles.makeDirectory(scratch)
            try await build(LayerBuildDirectory(rootfs: URL(fileURLWithPath: rootfs, isDirectory: true),
                                                scratch: URL(fileURLWithPath: scratch, isDirectory: true)))
            try DirectoryTree.remove(scratch)
            guard ImageFiles.isDirectory(rootfs) else {
                throw PaddockError(.internal, "layer \(key.short): the build removed its rootfs directory")
            }
            let time = now()
            try LayerMetadata(sizeBytes: DirectoryTree.allocatedBytes(at: rootfs), createdAt: time, lastUsed: time)
                .write(layerDirectory: temporary, key: key)
            if try !ImageFiles.publish(temporary, as: final) {
                _ = ImageFiles.removeQuietly(temporary)  // another store published the same key first
            }
            return published(final)
        } catch {
            _ = ImageFiles.removeQuietly(temporary)
            throw error
        }
    }

    private func published(_ final: String) -> Layer {
        Layer(key: key, path: URL(fileURLWithPath: "\(final)/\(LayerMetadata.rootfsName)", isDirectory: true))
    }
}
