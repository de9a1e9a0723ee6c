import Foundation
import PaddockCore

/// The network presets the server decides and shows with, and where they were read from.
public struct LoadedPresets: Sendable, Hashable {
    /// Where the two preset files were read from.
    public enum Source: Sendable, Hashable {
        /// The files bundled with Paddock (`Sources/PaddockServer/Presets`).
        case builtin
        /// An operator's directory (`paddock serve --presets DIR`), as an absolute path.
        case directory(String)
    }

    /// The two host lists and their version.
    public let presets: NetworkPresets
    /// Where they came from.
    public let source: Source

    /// Pairs presets with their source.
    public init(presets: NetworkPresets, source: Source) {
        self.presets = presets
        self.source = source
    }

    /// `builtin`, or the directory's path: the `source` field of `GET /v1/network/presets`.
    public var sourceText: String {
        switch source {
        case .builtin: "builtin"
        case .directory(let path): path
        }
    }

    /// The bundled presets. They are part of the repository and checked by tests, so failing to
    /// read them means a broken installation; `paddock serve` reads them through
    /// ``PresetFiles/load(directory:)`` first, which reports that as an error instead.
    public static let builtin: LoadedPresets = {
        do {
            return try PresetFiles.load(directory: nil)
        } catch {
            fatalError("the network presets bundled with Paddock cannot be used: \(error)")
        }
    }()
}

/// Reads the preset files (network.md, "What each policy means"): `known-safe.txt` and
/// `package-managers.txt`, one host pattern per line, `#` comments, and a `# version: …`
/// line among the comments before the first entry (the same version in both files).
public enum PresetFiles {
    /// The known-safe services list.
    public static let knownSafeFileName = "known-safe.txt"
    /// The package managers list.
    public static let packageManagersFileName = "package-managers.txt"
    /// The name of SwiftPM's resource bundle of this target (a directory next to the executable).
    public static let resourceBundleName = "Paddock_PaddockServer.resources"
    /// The directory of the bundled files inside the resource bundle (and inside `Sources/PaddockServer`).
    public static let resourceDirectory = "Presets"

    /// Reads the files in `directory`, or the bundled ones when it is nil. Throws
    /// `.invalidArgument` naming the file (and line) when a file is missing, is not UTF-8,
    /// has no version line, or has an entry that is not a valid host pattern.
    public static func load(directory: String?) throws(PaddockError) -> LoadedPresets {
        if let directory {
            let path = URL(fileURLWithPath: directory).standardizedFileURL.path
            return LoadedPresets(presets: try read(directory: path), source: .directory(path))
        }
        let candidates = builtinLocations()
        guard let bundled = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/" + knownSafeFileName) }) else {
            throw PaddockError(.invalidArgument, "cannot find the bundled network presets; looked in \(candidates.joined(separator: ", ")); "
                + "install \(resourceBundleName) next to the paddock binary or pass --presets DIR")
        }
        return LoadedPresets(presets: try read(directory: bundled), source: .builtin)
    }

    /// Reads and validates both files of `directory`.
    static func read(directory: String) throws(PaddockError) -> NetworkPresets {
        let knownSafePath = directory + "/" + knownSafeFileName
        let packageManagersPath = directory + "/" + packageManagersFileName
        let knownSafe = try text(of: knownSafePath)
        let packageManagers = try text(of: packageManagersPath)
        let version = try self.version(in: knownSafe, path: knownSafePath)
        let otherVersion = try self.version(in: packageManagers, path: packageManagersPath)
        guard version == otherVersion else {
            throw failure("\(knownSafePath) has version '\(version)' but \(packageManagersPath) has '\(otherVersion)'; "
                + "give both files the same '# version: …' line")
        }
        do {
            return try NetworkPresets.parse(knownSafe: knownSafe, packageManagers: packageManagers, version: version)
        } catch {
            // NetworkPresets names the list (`known_safe line 7`); name the file instead.
            var message = error.message
            for (list, path) in [("known_safe", knownSafePath), ("package_managers", packageManagersPath)] where message.hasPrefix(list + " ") {
                message = path + message.dropFirst(list.count)
            }
            if error.param == "version" { message = "\(knownSafePath): \(message)" }
            throw failure(message)
        }
    }

    /// The version named by the first `# version: X` comment before the file's first entry.
    static func version(in text: String, path: String) throws(PaddockError) -> String {
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard trimmed.hasPrefix("#") else { break }
            let comment = trimmed.dropFirst().trimmingCharacters(in: .whitespaces)
            guard comment.lowercased().hasPrefix("version:") else { continue }
            let value = comment.dropFirst("version:".count).trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { throw failure("\(path): the '# version:' line names no version; write e.g. '# version: 2026-12-03.1'") }
            return value
        }
        throw failure("\(path) has no '# version: …' line before its first entry; add one such as '# version: 2026-12-03.1'")
    }

    /// Where the bundled files are looked for, in order: the resource bundle next to the running
    /// executable (symlinks resolved), the one under `Bundle.main`, then the source checkout
    /// this binary was built from.
    public static func builtinLocations() -> [String] {
        var locations: [String] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
            locations.append(directory.appendingPathComponent("\(resourceBundleName)/\(resourceDirectory)").path)
        }
        locations.append(Bundle.main.bundleURL.appendingPathComponent("\(resourceBundleName)/\(resourceDirectory)").path)
        let sourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        locations.append(sourceDirectory.appendingPathComponent(resourceDirectory).path)
        var unique: [String] = []
        for location in locations where !unique.contains(location) { unique.append(location) }
        return unique
    }

    private static func text(of path: String) throws(PaddockError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw failure("cannot read \(path); a presets directory holds \(knownSafeFileName) and \(packageManagersFileName)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw failure("\(path) is not UTF-8 text")
        }
        return text
    }

    private static func failure(_ message: String) -> PaddockError {
        PaddockError(.invalidArgument, "network presets: \(message)")
    }
}
