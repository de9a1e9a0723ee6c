import PaddockCore

/// Turns an environment's packages and setup script into the stack of layers that provide them
/// (pure: no I/O). Layers come in the order apt, npm, pip, setup, each only when it has something
/// to install; each key chains on the one below, so a change in one layer changes every key above
/// it while the layers below stay shared.
///
/// Decisions written down here:
/// - apt: `apt-get update` runs in the same layer as the install (the base image ships without
///   package lists); afterwards `apt-get clean` and the removal of the downloaded lists keep
///   ~100 MB of indexes and `.deb` files out of the layer. Agents that need apt later run
///   `apt-get update` themselves, as on any fresh Debian image.
/// - npm: `npm cache clean --force` afterwards keeps the download cache out of the layer.
/// - setup: the script is an input file (`/paddock/setup.sh`), hashed into the key; it gets the
///   mirror settings as `PIP_INDEX_URL` / `npm_config_registry` so its own installs use them.
public enum LayerPlan {
    /// Where the setup script is placed in the build container.
    public static let setupScriptPath = "/paddock/setup.sh"

    /// The layers for `packages` and `setupScript` on top of the base image `base`.
    /// A setup script that is empty or only whitespace adds no layer.
    public static func plan(base: LayerKey, packages: PackageLists, setupScript: String?,
                            mirrors: MirrorSettings) -> [LayerStep] {
        var steps: [LayerStep] = []
        var parent = base

        func add(_ kind: LayerKind, mirrors keyMirrors: [String], entries: [String], commands: [[String]],
                 environment: [String: String], inputs: [LayerInputFile] = [], pins: [PinnedPackage] = []) {
            let key = LayerKey.derive(parent: parent, manager: kind.rawValue, mirrors: keyMirrors, entries: entries)
            steps.append(LayerStep(kind: kind, key: key, parentKey: parent, commands: commands,
                                   environment: environment, inputs: inputs, pins: pins))
            parent = key
        }

        if !packages.apt.isEmpty {
            let specs = packages.apt.map(\.spec)
            add(.apt, mirrors: [mirrors.debian], entries: specs, commands: aptCommands(specs),
                environment: aptEnvironment,
                pins: packages.apt.compactMap { p in p.pinnedVersion.map { PinnedPackage(name: p.name, version: $0) } })
        }
        if !packages.npm.isEmpty {
            let specs = packages.npm.map(\.spec)
            add(.npm, mirrors: [mirrors.npmRegistry], entries: specs,
                commands: npmCommands(specs, registry: mirrors.npmRegistry), environment: npmEnvironment,
                pins: packages.npm.compactMap { p in p.pinnedVersion.map { PinnedPackage(name: p.name, version: $0) } })
        }
        if !packages.pip.isEmpty {
            let specs = packages.pip.map(\.spec)
            add(.pip, mirrors: [mirrors.pypiIndex], entries: specs,
                commands: pipCommands(specs, index: mirrors.pypiIndex), environment: pipEnvironment,
                pins: packages.pip.compactMap { p in p.pinnedVersion.map { PinnedPackage(name: p.normalizedName, version: $0) } })
        }
        if let script = setupScript, !script.allSatisfy(\.isWhitespace) {
            var environment = aptEnvironment.merging(pipEnvironment) { a, _ in a }.merging(npmEnvironment) { a, _ in a }
            environment["PIP_INDEX_URL"] = mirrors.pypiIndex
            environment["npm_config_registry"] = mirrors.npmRegistry
            add(.setup, mirrors: [mirrors.debian, mirrors.pypiIndex, mirrors.npmRegistry],
                entries: [SHA256.hex(Array(script.utf8))],
                commands: [["/bin/bash", "-e", setupScriptPath]], environment: environment,
                inputs: [LayerInputFile(path: setupScriptPath, contents: script)])
        }
        return steps
    }

    /// Refresh the lists, install, then drop the downloaded `.deb` files and lists.
    static func aptCommands(_ specs: [String]) -> [[String]] {
        [
            ["apt-get", "update"],
            ["apt-get", "install", "-y", "--no-install-recommends", "--"] + specs,
            ["apt-get", "clean"],
            ["find", "/var/lib/apt/lists", "-mindepth", "1", "-maxdepth", "1", "-type", "f", "-delete"],
        ]
    }

    /// Install globally from `registry`, then drop npm's download cache.
    static func npmCommands(_ specs: [String], registry: String) -> [[String]] {
        [
            ["npm", "install", "-g", "--registry", registry, "--"] + specs,
            ["npm", "cache", "clean", "--force"],
        ]
    }

    /// Install for the system `python3` from `index`, without a download cache.
    static func pipCommands(_ specs: [String], index: String) -> [[String]] {
        [["python3", "-m", "pip", "install", "--no-cache-dir", "--index-url", index, "--"] + specs]
    }

    /// No prompts from debconf.
    static let aptEnvironment = ["DEBIAN_FRONTEND": "noninteractive"]

    /// Let pip install into the system Python (PEP 668) quietly and without prompts.
    static let pipEnvironment = [
        "PIP_BREAK_SYSTEM_PACKAGES": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_ROOT_USER_ACTION": "ignore",
        "PIP_NO_INPUT": "1",
    ]

    /// No update, funding or audit chatter (and no extra requests) from npm.
    static let npmEnvironment = [
        "npm_config_update_notifier": "false",
        "npm_config_fund": "false",
        "npm_config_audit": "false",
    ]
}
