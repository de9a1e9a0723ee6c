import Foundation
import PaddockCore
import PaddockProxy
import PaddockRuntime

/// The egress gateway is what ``HostNetworking`` attaches sessions to.
extension EgressGateway: EgressGatewayControl {}

/// Puts together the local session runtime from `paddock serve`'s settings: base images,
/// the layer cache and its builder (whose containers reach only the package registries, through
/// the same network machinery as sessions), runc, paddock-init, the session network with its
/// egress gateway (recording into `egressLog`) and the data directory layout.
enum SessionRuntimeFactory {
    static func local(_ options: ServeCommand.Options, egressLog: EgressLog, presets: NetworkPresets) throws -> SessionBackend {
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
        let (networking, gateway) = try network(options, data: data, mirrors: mirrors, egressLog: egressLog, presets: presets)
        let buildNetwork = BuildNetwork(networking: networking,
                                        policy: try BuildNetwork.policy(packageManagers: presets.packageManagers, mirrors: mirrors))
        let builder = try RuncLayerBuilder(runtime: buildRunc, network: buildNetwork)
        let runtime = try LocalSessionRuntime(
            dataDirectory: data, baseImages: baseImages, layers: layers, layerBuilder: builder, runtime: runc,
            initBinary: try initBinary(options), networking: networking, mirrors: mirrors)
        return SessionBackend(runtime: runtime, baseImages: baseImages, layers: layers,
                              layerCacheLimitBytes: Int64(options.layerCacheMB) << 20,
                              recoverBuilds: { await recoverBuilds(runc: buildRunc, layers: layers, baseImages: baseImages) },
                              shutdown: {
                                  await gateway.shutdown()
                                  await networking.removeTableIfUnused()
                              })
    }

    /// The session network: per-session namespaces and nftables chains (``HostNetworking``,
    /// leases in `<data>/network`) and the egress gateway serving them, both judging addresses
    /// by the same policy; the gateway may also reach the package mirrors' own endpoints.
    static func network(_ options: ServeCommand.Options, data: URL, mirrors: MirrorSettings, egressLog: EgressLog,
                        presets: NetworkPresets) throws -> (HostNetworking, EgressGateway) {
        let pool = try PaddockCore.IPv4Network.parse(options.sessionPool, param: "--session-pool")
        let hostAddresses = HostAddresses.discover()
        let addresses = HostNetworking.addressPolicy(pool: pool, allowed: options.allowCIDRs, hostAddresses: hostAddresses,
                                                     mirrors: BuildNetwork.resolvedEndpoints(of: mirrors))
        let gateway = try EgressGateway(presets: presets, addresses: addresses, recorder: egressLog,
                                        hostAddresses: { HostAddresses.discover() })
        let networking = try HostNetworking(
            pool: options.sessionPool, gateway: gateway, stateDirectory: data.appendingPathComponent("network", isDirectory: true),
            allowCIDRs: options.allowCIDRs.map(\.description), hostAddresses: hostAddresses, names: options.networkNames,
            tools: NetworkTools(ip: NetworkTools.standard.ip, nft: options.nft))
        return (networking, gateway)
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
