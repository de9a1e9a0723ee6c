import Foundation
import PaddockCore

/// Builds the base root filesystem with `mmdebstrap` on first need and hands out the published
/// one ever after. The image lives at `<images>/base-<key>` where the key hashes the recipe
/// file's bytes, the Debian mirror URL and the CA bundle (plus `derivationVersion`): change one
/// of them and a new image is built beside the old one; change none and nothing is ever rebuilt.
///
/// - Builds go into `<images>/.tmp-base-<key>-<random>/` and are renamed into place only on
///   success; a failed build is removed and its log tail travels in the thrown error.
/// - Concurrent `ensure()` calls share one build (single-flight), and so do builders in other
///   processes on the same directory (an `flock` on `<images>/.lock-base-<key>`).
/// - `mmdebstrap --mode=unshare` is used although we are root: the build's mounts then live in a
///   private mount namespace and vanish with it, so a killed build leaves no mount behind, and as
///   root the files still get their real owners. Building therefore needs root.
/// - The host CA bundle is copied to `/usr/local/share/ca-certificates/paddock-host.crt` and
///   `update-ca-certificates` runs inside, so TLS-intercepting networks work for curl, pip, git
///   and apt; later `update-ca-certificates` runs (in layers) keep it.
/// - The key and CA bytes are read once, in `init`; a changed recipe or CA bundle takes effect
///   with the next builder (i.e. the next server start).
public actor BaseImageBuilder {
    /// Where images are stored.
    public nonisolated let imagesDirectory: URL
    /// The recipe in use.
    public nonisolated let recipe: BaseRecipe
    /// The package sources; `debian` is the mirror the image is built from.
    public nonisolated let mirrors: MirrorSettings
    /// The CA bundle installed into the image, or nil for none.
    public nonisolated let caBundlePath: String?
    /// The content address of the image this builder provides.
    public nonisolated let key: LayerKey
    private nonisolated let caBundle: [UInt8]?
    private nonisolated let mmdebstrap: String
    private var inflight: Task<(image: BaseImage, built: Bool), any Error>?
    /// How many times this builder ran `mmdebstrap` to completion (a cache hit never does).
    public private(set) var buildCount = 0

    /// The host's CA bundle on Debian-like systems.
    public static let defaultCABundle = "/etc/ssl/certs/ca-certificates.crt"
    /// Where the CA bundle is installed inside the image.
    public static let imageCAPath = "/usr/local/share/ca-certificates/paddock-host.crt"
    /// The version of the build procedure (hooks, mode); part of the key.
    public static let derivationVersion = "paddock-base-v1"
    /// How many lines of mmdebstrap's output a failure carries.
    public static let logLines = 200

    /// Installs the CA bundle whose path is in `PADDOCK_CA_BUNDLE` (passed through the
    /// environment, never spliced into the command) and registers it.
    static let caHook = #"mkdir -p "$1/usr/local/share/ca-certificates" && cp "$PADDOCK_CA_BUNDLE" "$1/usr/local/share/ca-certificates/paddock-host.crt" && chroot "$1" update-ca-certificates"#
    /// mmdebstrap copies the build host's hostname and resolver into the image; sessions get
    /// their own, so the image carries neutral ones and nothing from the build host.
    static let hostIdentityHook = #"printf 'paddock\n' > "$1/etc/hostname" && : > "$1/etc/resolv.conf""#

    /// Creates a builder; reads the CA bundle (nil: install none) and computes the key.
    /// `mmdebstrap` is the tool's name or path.
    public init(imagesDirectory: URL, recipe: BaseRecipe, mirrors: MirrorSettings = .standard,
                caBundle: String? = BaseImageBuilder.defaultCABundle, mmdebstrap: String = "mmdebstrap") throws(PaddockError) {
        var bundle: [UInt8]?
        if let caBundle {
            guard let data = FileManager.default.contents(atPath: caBundle) else {
                throw PaddockError(.internal, "cannot read the CA bundle \(caBundle); give a readable PEM file or none")
            }
            guard String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
                throw PaddockError(.internal, "the CA bundle \(caBundle) contains no PEM certificate")
            }
            bundle = Array(data)
        }
        self.imagesDirectory = imagesDirectory.standardizedFileURL
        self.recipe = recipe
        self.mirrors = mirrors
        self.caBundlePath = caBundle
        self.caBundle = bundle
        self.mmdebstrap = mmdebstrap
        self.key = Self.imageKey(recipe: recipe.bytes, mirror: mirrors.debian, caBundle: bundle)
    }

    /// `sha256(version, sha256(recipe bytes), mirror URL, sha256(CA bundle) or "no-ca")`.
    static func imageKey(recipe: [UInt8], mirror: String, caBundle: [UInt8]?) -> LayerKey {
        let fields = [derivationVersion, SHA256.hex(recipe), mirror, caBundle.map { SHA256.hex($0) } ?? "no-ca"]
        return LayerKey(digestOf: fields.flatMap { Array($0.utf8) + [0] })
    }

    /// Where the image of this builder is (or will be) published.
    public nonisolated var imagePath: URL {
        BaseImage.location(key, in: imagesDirectory)
    }

    /// The published image, building it first if needed. Concurrent callers share one build;
    /// a cache hit does no work beyond one `lstat`.
    public func ensure() async throws(PaddockError) -> BaseImage {
        if let image = BaseImage.read(key: key, in: imagesDirectory) { return image }
        let task: Task<(image: BaseImage, built: Bool), any Error>
        if let inflight {
            task = inflight
        } else {
            let job = BuildJob(directory: imagesDirectory, key: key, argv: { [self] target in self.mmdebstrapArguments(target: target) },
                               caBundle: caBundle, recipe: recipe, mirror: mirrors.debian)
            task = Task { try await job.run() }
            inflight = task
        }
        let result: (image: BaseImage, built: Bool)
        do {
            result = try await task.value
        } catch {
            if inflight == task { inflight = nil }
            throw (error as? PaddockError) ?? PaddockError(.internal, "base image \(key.short): \(error)")
        }
        if inflight == task {
            inflight = nil
            if result.built { buildCount += 1 }
        }
        return result.image
    }

    /// The published base images in the images directory (of any key), newest first.
    public func list() -> [BaseImage] {
        ImageFiles.names(in: imagesDirectory.path)
            .compactMap(BaseImage.key(fromDirectoryName:))
            .compactMap { BaseImage.read(key: $0, in: imagesDirectory) }
            .sorted { ($0.createdAt ?? .distantPast, $0.key) > ($1.createdAt ?? .distantPast, $1.key) }
    }

    /// Removes what interrupted builds left (`.tmp-*`), skipping keys being built right now by
    /// anyone. Call once at startup; returns the names removed.
    @discardableResult
    public func removeStaleTemporaries() -> [String] {
        let directory = imagesDirectory.path
        return ImageFiles.removeStaleTemporaries(in: directory) { name in
            // .tmp-base-<64 hex>-<token>[.crt]
            let rest = name.dropFirst(ImageFiles.temporaryPrefix.count)
            guard rest.hasPrefix("base-"), let key = LayerKey(hex: String(rest.dropFirst(5).prefix(64))) else { return nil }
            return "\(directory)/\(ImageFiles.lockPrefix)base-\(key.hex)"
        }
    }

    /// The full mmdebstrap argv that builds the image into `target`.
    public nonisolated func mmdebstrapArguments(target: String) -> [String] {
        var argv = [mmdebstrap, "--mode=unshare", "--format=directory", "--variant=\(recipe.variant)",
                    "--components=\(recipe.components.joined(separator: ","))",
                    "--include=\(recipe.packages.joined(separator: ","))"]
        argv += recipe.aptOptions.map { "--aptopt=\($0)" }
        argv += recipe.dpkgOptions.map { "--dpkgopt=\($0)" }
        if caBundle != nil { argv.append("--customize-hook=\(Self.caHook)") }
        argv.append("--customize-hook=\(Self.hostIdentityHook)")
        argv += [recipe.suite, target]
        argv += recipe.mirrors.map { $0.replacingOccurrences(of: BaseRecipe.mirrorPlaceholder, with: mirrors.debian) }
        return argv
    }
}
