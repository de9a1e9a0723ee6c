import Foundation
import PaddockCore
#if canImport(Glibc)
import Glibc
#endif

extension BaseImageBuilder {
    /// One build of one key, run off the actor: lock, re-check, mmdebstrap into a temporary
    /// directory, measure, publish by rename. Everything temporary is removed on failure.
    struct BuildJob: Sendable {
        let directory: URL
        let key: LayerKey
        let argv: @Sendable (String) -> [String]
        let caBundle: [UInt8]?
        let recipe: BaseRecipe
        let mirror: String

        /// The published image and whether this job built it (false: someone else had).
        func run() async throws(PaddockError) -> (image: BaseImage, built: Bool) {
            guard geteuid() == 0 else {
                throw PaddockError(.internal, "building the base image needs root (mmdebstrap must create root-owned files); run the server as root")
            }
            try ImageFiles.makeDirectory(directory.path)
            let lock = try await BuildLock.acquire("\(directory.path)/\(ImageFiles.lockPrefix)base-\(key.hex)")
            defer { lock.release() }
            if let image = BaseImage.read(key: key, in: directory) { return (image, false) }

            let name = "\(ImageFiles.temporaryPrefix)base-\(key.hex)-\(ImageFiles.token())"
            let target = "\(directory.path)/\(name)"
            let caCopy = "\(target).crt"
            var environment = ProcessInfo.processInfo.environment
            do {
                try ImageFiles.makeDirectory(target)
                if let caBundle {
                    // The exact bytes that were hashed into the key, not whatever the file holds now.
                    guard FileManager.default.createFile(atPath: caCopy, contents: Data(caBundle)) else {
                        throw PaddockError(.internal, "cannot write \(caCopy)")
                    }
                    environment["PADDOCK_CA_BUNDLE"] = caCopy
                }
                let started = ContinuousClock.now
                let outcome = try await LoggedCommand.run(argv(target), environment: environment,
                                                          tailLines: BaseImageBuilder.logLines)
                let elapsed = started.duration(to: .now)
                _ = ImageFiles.removeQuietly(caCopy)
                guard outcome.status == 0 else {
                    throw PaddockError(.internal, "base image \(key.short) failed to build: mmdebstrap exited with status "
                        + "\(outcome.status); the last lines of its output:\n\(outcome.log)")
                }
                for required in ["usr/bin/bash", "etc/os-release"] where !FileManager.default.fileExists(atPath: "\(target)/\(required)") {
                    throw PaddockError(.internal, "base image \(key.short) failed to build: mmdebstrap succeeded but /\(required) is missing; "
                        + "the last lines of its output:\n\(outcome.log)")
                }
                let image = BaseImage(key: key, path: BaseImage.location(key, in: directory),
                                      sizeBytes: DirectoryTree.allocatedBytes(at: target), createdAt: Date(),
                                      buildSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                try ImageFiles.writeJSON(image.metadata(recipe: recipe, mirror: mirror),
                                         to: "\(directory.path)/\(BaseImage.metadataName(key))")
                guard try ImageFiles.publish(target, as: image.path.path) else {
                    _ = ImageFiles.removeQuietly(target)
                    guard let existing = BaseImage.read(key: key, in: directory) else {
                        throw PaddockError(.internal, "base image \(key.short) vanished while publishing")
                    }
                    return (existing, false)
                }
                return (image, true)
            } catch {
                var message = (error as? PaddockError)?.message ?? "\(error)"
                for leftover in [caCopy, target] {
                    if let problem = ImageFiles.removeQuietly(leftover) { message += "\n(clean-up also failed: \(problem))" }
                }
                if BaseImage.read(key: key, in: directory) == nil {
                    _ = ImageFiles.removeQuietly("\(directory.path)/\(BaseImage.metadataName(key))")
                }
                throw PaddockError(.internal, message)
            }
        }
    }
}
