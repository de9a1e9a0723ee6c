import Foundation
import PaddockCore
import PaddockJSON

/// The base image recipe (`Recipes/base.json`): what `mmdebstrap` installs. A file in the repo,
/// not code; its exact bytes are part of the base image key, so editing it builds a new image.
///
/// Fields (all validated in `parse`, unknown keys refused):
/// `suite` (e.g. `bookworm`), `variant` (e.g. `minbase`), `components`, `mirrors` (URLs or
/// `deb` lines where `{mirror}` stands for the configured Debian mirror), `packages` (Debian
/// package names for `--include`), `apt_options` and `dpkg_options` (one `--aptopt` /
/// `--dpkgopt` each; they stay in the image, so layers inherit them), `description` (free text).
public struct BaseRecipe: Sendable, Hashable {
    /// Where the recipe was read from (for messages).
    public let source: String
    /// The file's bytes, hashed into the image key.
    public let bytes: [UInt8]
    /// The Debian suite.
    public let suite: String
    /// The mmdebstrap variant.
    public let variant: String
    /// Archive components, e.g. `main`.
    public let components: [String]
    /// Mirror arguments, with `{mirror}` still unreplaced.
    public let mirrors: [String]
    /// Packages installed on top of the variant.
    public let packages: [String]
    /// Extra apt configuration lines.
    public let aptOptions: [String]
    /// Extra dpkg configuration lines.
    public let dpkgOptions: [String]

    /// Stands for the configured Debian mirror URL in `mirrors`.
    public static let mirrorPlaceholder = "{mirror}"
    /// The name of SwiftPM's resource bundle of this target (a directory next to the executable).
    public static let resourceBundleName = "Paddock_PaddockRuntime.resources"
    /// The recipe's path inside the resource bundle (and inside `Sources/PaddockRuntime`).
    public static let resourcePath = "Recipes/base.json"

    private static let variants: Set<String> = ["extract", "custom", "essential", "apt", "required", "minbase",
                                                "buildd", "important", "debootstrap", "standard"]

    /// Reads and validates the recipe at `path`.
    public static func load(from path: String) throws(PaddockError) -> BaseRecipe {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PaddockError(.internal, "cannot read the base image recipe \(path)")
        }
        return try parse(Array(data), source: path)
    }

    /// Finds and reads the recipe: `explicitPath` when given, otherwise the first of
    /// `defaultLocations()` that exists. The error lists every place tried.
    public static func load(explicitPath: String? = nil) throws(PaddockError) -> BaseRecipe {
        if let explicitPath { return try load(from: explicitPath) }
        let candidates = defaultLocations()
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate) {
            return try load(from: candidate)
        }
        throw PaddockError(.internal, "cannot find the base image recipe; looked in \(candidates.joined(separator: ", ")); "
            + "install \(resourceBundleName) next to the paddock binary or pass the recipe path explicitly")
    }

    /// Where the recipe is looked for, in order:
    /// 1. `<directory of the running executable, symlinks resolved>/Paddock_PaddockRuntime.resources/Recipes/base.json`
    ///    — an installed binary must be copied together with this directory;
    /// 2. the same under `Bundle.main` (then found through `Bundle.module`, which is only touched
    ///    when its bundle exists, because its accessor aborts the process when it does not);
    /// 3. the source checkout this binary was built from (`Sources/PaddockRuntime/Recipes`).
    public static func defaultLocations() -> [String] {
        var locations: [String] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
            locations.append(directory.appendingPathComponent("\(resourceBundleName)/\(resourcePath)").path)
        }
        let mainBundle = Bundle.main.bundleURL.appendingPathComponent(resourceBundleName)
        if FileManager.default.fileExists(atPath: mainBundle.path),
           let url = Bundle.module.url(forResource: "base", withExtension: "json", subdirectory: "Recipes") {
            locations.append(url.path)
        } else {
            locations.append(mainBundle.appendingPathComponent(resourcePath).path)
        }
        let sourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        locations.append(sourceDirectory.appendingPathComponent(resourcePath).path)
        var unique: [String] = []
        for location in locations where !unique.contains(location) { unique.append(location) }
        return unique
    }

    /// Validates recipe JSON; errors name the source and the field.
    public static func parse(_ bytes: [UInt8], source: String) throws(PaddockError) -> BaseRecipe {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw PaddockError(.internal, "base image recipe \(source) is not valid JSON: \(error)")
        }
        guard let object = root.objectValue else {
            throw PaddockError(.internal, "base image recipe \(source) must be a JSON object")
        }
        let known: Set<String> = ["description", "suite", "variant", "components", "mirrors", "packages",
                                  "apt_options", "dpkg_options"]
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw PaddockError(.internal, "base image recipe \(source) has an unknown field '\(unknown)'")
        }
        func bad(_ field: String, _ problem: String) -> PaddockError {
            PaddockError(.internal, "base image recipe \(source): \(field) \(problem)")
        }
        func string(_ field: String) throws(PaddockError) -> String {
            guard let value = object[field]?.stringValue else { throw bad(field, "must be a string") }
            return value
        }
        func strings(_ field: String, required: Bool) throws(PaddockError) -> [String] {
            guard let value = object[field] else {
                if required { throw bad(field, "is missing") }
                return []
            }
            guard let array = value.arrayValue else { throw bad(field, "must be an array of strings") }
            var result: [String] = []
            for element in array {
                guard let text = element.stringValue else { throw bad(field, "must be an array of strings") }
                guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else {
                    throw bad(field, "has an entry that is empty or not printable ASCII: '\(text)'")
                }
                result.append(text)
            }
            if required && result.isEmpty { throw bad(field, "must not be empty") }
            return result
        }
        let suite = try string("suite")
        guard isWord(suite, extra: ".-") else { throw bad("suite", "'\(suite)' is not a suite name such as 'bookworm'") }
        let variant = try string("variant")
        guard variants.contains(variant) else { throw bad("variant", "'\(variant)' is not an mmdebstrap variant") }
        let components = try strings("components", required: true)
        for component in components where !isWord(component, extra: "-/") {
            throw bad("components", "'\(component)' is not a component name such as 'main'")
        }
        let mirrors = try strings("mirrors", required: true)
        let packages = try strings("packages", required: true)
        var seen = Set<String>()
        for package in packages {
            guard isWord(package, extra: "+.-"), package.utf8.count >= 2 else {
                throw bad("packages", "'\(package)' is not a Debian package name")
            }
            guard seen.insert(package).inserted else { throw bad("packages", "lists '\(package)' twice") }
        }
        return BaseRecipe(source: source, bytes: bytes, suite: suite, variant: variant, components: components,
                          mirrors: mirrors, packages: packages,
                          aptOptions: try strings("apt_options", required: false),
                          dpkgOptions: try strings("dpkg_options", required: false))
    }

    /// Lower-case letters and digits first, then those or `extra`.
    private static func isWord(_ text: String, extra: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, (0x61...0x7a).contains(first) || (0x30...0x39).contains(first) else { return false }
        return bytes.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || extra.utf8.contains($0) }
    }
}
