import Foundation
import PaddockCore
import PaddockJSON
import Synchronization

/// What one pinned package turned out to be after the install.
struct PinCheck: Sendable, Equatable {
    /// The pin as the step states it.
    let pin: PinnedPackage
    /// The installed version, or nil when the package is not installed.
    let found: String?
    /// Whether `found` is the pinned version (by the manager's rules of equality).
    let matches: Bool
}

/// Asks the package manager inside the build container which versions of a step's pinned
/// packages are installed: one container run per step, names passed as arguments (never
/// interpolated into code).
///
/// - apt: `dpkg-query -W` with the status and version of each name; only `ii`/`hi` count as
///   installed; versions compare as exact strings (epochs included).
/// - pip: `importlib.metadata.version(name)` (it normalises names itself); versions compare as
///   PEP 440 versions (`1.16` equals `1.16.0`) with the `packaging` module pip ships, falling
///   back to exact strings.
/// - npm: `npm ls -g --depth=0 --json`; versions compare exactly, a leading `v` or `=` of the
///   pin ignored.
enum PinVerification {
    /// The most stdout kept from a verification command.
    static let maxOutputBytes = 4 << 20

    /// The versions of `step.pins` as installed now.
    static func check(_ step: LayerStep, in container: BuildContainer,
                      log: @escaping @Sendable (String) -> Void) async throws -> [PinCheck] {
        guard !step.pins.isEmpty else { return [] }
        let argv = command(for: step.kind, pins: step.pins)
        let stdout = Mutex<(lines: [String], bytes: Int)>(([], 0))
        let digest = Mutex(BuildOutputDigest(kind: step.kind))
        let status = try await container.run(argv, extraEnvironment: ["PYTHONDONTWRITEBYTECODE": "1"]) { line in
            switch line.stream {
            case .stdout:
                stdout.withLock { kept in
                    guard kept.bytes < maxOutputBytes else { return }
                    kept.lines.append(line.text)
                    kept.bytes += line.text.utf8.count + 1
                }
            case .stderr:
                log(line.text)
                digest.withLock { $0.append(line.text) }
            }
        }
        let lines = stdout.withLock { $0.lines }
        let checks: [PinCheck]?
        switch step.kind {
        case .apt:
            // dpkg-query exits 1 when a name is unknown, and still reports the others.
            checks = status <= 1 ? aptChecks(lines, pins: step.pins) : nil
        case .pip:
            checks = status == 0 ? pipChecks(lines, pins: step.pins) : nil
        case .npm:
            // npm ls exits 1 on "problems" (e.g. extraneous packages) and still prints the tree.
            checks = status <= 1 ? npmChecks(lines.joined(separator: "\n"), pins: step.pins) : nil
        case .setup:
            checks = step.pins.map { PinCheck(pin: $0, found: nil, matches: false) }
        }
        guard let checks else {
            let quoted = digest.withLock { $0.quotedLines }
            throw LayerBuildError(step: step.name, message: "\(step.name) layer: cannot verify the pinned versions: `"
                + BuildCommandText.render(argv) + "` " + BuildCommandText.outcome(status)
                + (quoted.isEmpty ? "" : ":\n" + quoted.joined(separator: "\n")))
        }
        return checks
    }

    /// The error for the first pins that did not install as asked, or nil when all did.
    static func failure(_ checks: [PinCheck], step: LayerStep) -> LayerBuildError? {
        let wrong = checks.filter { !$0.matches }
        guard !wrong.isEmpty else { return nil }
        let sentences = wrong.prefix(10).map { check in
            if let found = check.found {
                return "\(check.pin.name): wanted \(check.pin.version), found \(found)"
            }
            return "\(check.pin.name): wanted \(check.pin.version), but it is not installed"
        }
        let more = wrong.count > 10 ? "\n(and \(wrong.count - 10) more)" : ""
        return LayerBuildError(step: step.name, message: "\(step.name) layer: pinned versions did not install:\n"
            + sentences.joined(separator: "\n") + more)
    }

    /// The argv that reports the installed versions of `pins`.
    static func command(for kind: LayerKind, pins: [PinnedPackage]) -> [String] {
        switch kind {
        case .apt:
            return ["dpkg-query", "-W", "-f=${Package}\\t${db:Status-Abbrev}\\t${Version}\\n", "--"] + pins.map(\.name)
        case .pip:
            return ["python3", "-c", pipScript] + pins.flatMap { [$0.name, $0.version] }
        case .npm:
            return ["npm", "ls", "-g", "--depth=0", "--json"]
        case .setup:
            return ["true"]
        }
    }

    /// Prints `name<TAB>found<TAB>1|0` per (name, wanted) pair, or `name<TAB><TAB>0` when missing.
    static let pipScript = """
        import sys
        from importlib import metadata
        try:
            from packaging.version import Version
        except ImportError:
            try:
                from pip._vendor.packaging.version import Version
            except ImportError:
                Version = None
        def same(found, wanted):
            if Version is not None:
                try:
                    return Version(found) == Version(wanted)
                except Exception:
                    pass
            return found == wanted
        args = sys.argv[1:]
        for name, wanted in zip(args[0::2], args[1::2]):
            try:
                found = metadata.version(name)
            except metadata.PackageNotFoundError:
                print(name + "\\t\\t0")
                continue
            print(name + "\\t" + found + "\\t" + ("1" if same(found, wanted) else "0"))
        """

    /// Reads `Package<TAB>Status-Abbrev<TAB>Version` lines.
    static func aptChecks(_ lines: [String], pins: [PinnedPackage]) -> [PinCheck] {
        var installed: [String: String] = [:]
        for line in lines {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { continue }
            let status = fields[1].trimmingCharacters(in: .whitespaces)
            if status == "ii" || status == "hi" { installed[fields[0]] = fields[2] }
        }
        return pins.map { pin in
            let found = installed[pin.name]
            return PinCheck(pin: pin, found: found, matches: found == pin.version)
        }
    }

    /// Reads the `name<TAB>found<TAB>match` lines of ``pipScript``, in pin order.
    static func pipChecks(_ lines: [String], pins: [PinnedPackage]) -> [PinCheck] {
        var results: [String: (found: String?, matches: Bool)] = [:]
        for line in lines {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { continue }
            results[fields[0]] = (fields[1].isEmpty ? nil : fields[1], fields[2] == "1")
        }
        return pins.map { pin in
            let result = results[pin.name]
            return PinCheck(pin: pin, found: result?.found ?? nil, matches: result?.matches ?? false)
        }
    }

    /// Reads `dependencies.<name>.version` of `npm ls --json`; nil when it is not JSON.
    static func npmChecks(_ json: String, pins: [PinnedPackage]) -> [PinCheck]? {
        guard let document = try? JSONParser.parse(Array(json.utf8)), document.objectValue != nil else { return nil }
        return pins.map { pin in
            let found = document["dependencies"]?[pin.name]?["version"]?.stringValue
            var wanted = Substring(pin.version)
            while let first = wanted.first, first == "v" || first == "=" { wanted = wanted.dropFirst() }
            return PinCheck(pin: pin, found: found, matches: found == String(wanted))
        }
    }
}
