import Foundation
import PaddockCore
import PaddockRuntime

/// Puts together the local session runtime from `paddock serve`'s settings: base images,
/// the layer cache and its builder, runc, paddock-init and the data directory layout.
enum SessionRuntimeFactory {
    static func local(_ options: ServeCommand.Options) throws -> SessionBackend {
        let data = URL(fileURLWithPath: options.dataDirectory, isDirectory: true).standardizedFileURL
        let mirrors = try MirrorSettings(debian: options.debianMirror, pypiIndex: options.pypiIndex, npmRegistry: options.npmRegistry)
        let images = options.imagesDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? data.appendingPathComponent("images", isDirectory: true)
        let baseImages = try BaseImageBuilder(imagesDirectory: images, recipe: try BaseRecipe.load(), mirrors: mirrors,
                                              caBundle: options.caBundle)
        let layers = try LayerStore(directory: data.appendingPathComponent("layers", isDirectory: true))
        let runc = try Runc(root: data.appendingPathComponent("runc", isDirectory: true).path)
        // Build containers have a runc root of their own: reconciling sessions never sees them.
        let buildRunc = try Runc(root: data.appendingPathComponent("runc-build", isDirectory: true).path)
        let builder = try RuncLayerBuilder(runtime: buildRunc)
        let runtime = try LocalSessionRuntime(
            dataDirectory: data, baseImages: baseImages, layers: layers, layerBuilder: builder, runtime: runc,
            initBinary: try initBinary(options), mirrors: mirrors)
        return SessionBackend(runtime: runtime, baseImages: baseImages, layers: layers,
                              layerCacheLimitBytes: Int64(options.layerCacheMB) << 20,
                              recoverBuilds: { await recoverBuilds(runc: buildRunc, layers: layers, baseImages: baseImages) })
    }

    /// At start no build runs yet: every build container, build mount and temporary directory
    /// found belongs to a run that was interrupted (e.g. `kill -9` mid-provisioning).
    static func recoverBuilds(runc: Runc, layers: LayerStore, baseImages: BaseImageBuilder) async -> [String] {
        var removed: [String] = []
        for container in (try? await runc.list()) ?? [] {
            if (try? await runc.delete(id: container.id, force: true)) != nil { removed.append("build container \(container.id)") }
        }
        removed += Mounts.unmountAll(under: layers.directory.path).map { "build mount \($0)" }
        removed += await layers.removeStaleTemporaries().map { "layer temporary \($0)" }
        removed += await baseImages.removeStaleTemporaries().map { "image temporary \($0)" }
        return removed
    }

    /// The `paddock-init` to bind into sessions: the given one, else the one next to this program.
    static func initBinary(_ options: ServeCommand.Options) throws -> String {
        let program = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let path = options.initBinary
            ?? URL(fileURLWithPath: program).deletingLastPathComponent().appendingPathComponent("paddock-init").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw PaddockError(.internal, "paddock-init not found at \(path); build it (swift build --product paddock-init) or pass --init-binary")
        }
        return path
    }
}
