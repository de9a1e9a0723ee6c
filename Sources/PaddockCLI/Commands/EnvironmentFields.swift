import Foundation
import PaddockJSON

/// The flags shared by `env create` and `env update` that describe an environment, and how
/// they become request JSON.
///
/// Decisions: package flags name only the managers given (the API replaces `packages` as a
/// whole, so an absent manager means an empty list); network flags always produce the full
/// object form; `--from-file` supplies the base body and flags override its top-level
/// fields (`metadata` is merged, and `config.networking`, `config.packages`,
/// `config.setup_script` are replaced individually).
struct EnvironmentFields {
    /// The `--network` policies.
    enum NetworkPolicy: String, CaseIterable, Sendable {
        case unrestricted, limited, allowlist
    }

    /// The parameters, in help order.
    static let parameters: [Parameter] = [
        .option("description", value: "TEXT", help: "a description for people (at most 2048 characters)"),
        .option("apt", value: "PKG", repeating: true,
                help: "a Debian package, optionally name=version (e.g. jq or curl=7.88.1-10); repeat for more"),
        .option("pip", value: "SPEC", repeating: true,
                help: "a pip requirement (e.g. pandas==2.1.0 or 'requests[socks]>=2,<3'); repeat for more"),
        .option("npm", value: "SPEC", repeating: true,
                help: "an npm package with an optional version (e.g. typescript@5.0.0); repeat for more"),
        .option("network", value: "POLICY",
                help: "outbound network policy: unrestricted (the default), limited or allowlist"),
        .flag("allow-package-managers",
              help: "with --network limited: also allow the apt, PyPI and npm registries"),
        .option("allow-host", value: "HOST", repeating: true,
                help: "with --network limited: a host to allow (e.g. api.example.com or *.example.org); repeat for more"),
        .option("domain", value: "HOST", repeating: true,
                help: "with --network allowlist: a host the environment may reach; repeat for more; none means no outbound network"),
        .option("setup-script", value: "FILE",
                help: "a bash script run as root after the packages are installed"),
        .option("metadata", value: "KEY=VALUE", repeating: true, help: "a metadata pair; repeat for more"),
        .option("from-file", value: "FILE.json",
                help: "use this JSON file as the request body; the other flags override its fields"),
    ]

    var description: String?
    var apt: [String]
    var pip: [String]
    var npm: [String]
    var network: NetworkPolicy?
    var allowPackageManagers: Bool
    var allowedHosts: [String]
    var domains: [String]
    var setupScriptPath: String?
    var metadata: [(key: String, value: String)]
    var fromFile: String?

    /// Reads the flags; bad values (an unknown policy, metadata without `=`) are usage errors.
    init(from arguments: ParsedArguments) throws(CLIFailure) {
        description = arguments.value("description")
        apt = arguments.values("apt")
        pip = arguments.values("pip")
        npm = arguments.values("npm")
        network = try arguments.choice("network", as: NetworkPolicy.self)
        allowPackageManagers = arguments.flag("allow-package-managers")
        allowedHosts = arguments.values("allow-host")
        domains = arguments.values("domain")
        setupScriptPath = arguments.value("setup-script")
        metadata = try arguments.keyValuePairs("metadata")
        fromFile = arguments.value("from-file")
    }

    /// Whether any package flag is given.
    var changesPackages: Bool { !apt.isEmpty || !pip.isEmpty || !npm.isEmpty }

    /// Whether any flag other than `--from-file` is given.
    var changesAnything: Bool {
        description != nil || changesPackages || network != nil || setupScriptPath != nil || !metadata.isEmpty
    }

    /// Rejects network detail flags that do not belong to the chosen policy.
    func validate() throws(CLIFailure) {
        if network != .limited {
            if !allowedHosts.isEmpty {
                throw .usage(Self.misplaced("--allow-host", needs: .limited, got: network,
                                            alternative: network == .allowlist ? "--domain HOST" : nil))
            }
            if allowPackageManagers {
                throw .usage(Self.misplaced("--allow-package-managers", needs: .limited, got: network, alternative: nil))
            }
        }
        if network != .allowlist, !domains.isEmpty {
            throw .usage(Self.misplaced("--domain", needs: .allowlist, got: network,
                                        alternative: network == .limited ? "--allow-host HOST" : nil))
        }
    }

    /// `--allow-host needs --network limited; add --network limited`, and variants.
    private static func misplaced(_ flag: String, needs: NetworkPolicy, got: NetworkPolicy?,
                                  alternative: String?) -> String {
        let head = "\(flag) needs --network \(needs.rawValue)"
        guard let got else { return "\(head); add --network \(needs.rawValue)" }
        if let alternative { return "\(head); with --network \(got.rawValue) use \(alternative)" }
        return "\(head) (got --network \(got.rawValue)); use --network \(needs.rawValue)"
    }

    /// `config.packages` from the package flags (only the managers given).
    var packagesValue: JSONValue {
        var packages = JSONObject()
        for (manager, list) in [("apt", apt), ("pip", pip), ("npm", npm)] where !list.isEmpty {
            packages[manager] = .array(list.map { JSONValue.string($0) })
        }
        return .object(packages)
    }

    /// `config.networking` in object form, if `--network` is given.
    var networkingValue: JSONValue? {
        switch network {
        case nil: nil
        case .unrestricted: ["type": "unrestricted"]
        case .limited:
            ["type": "limited", "allow_package_managers": .bool(allowPackageManagers),
             "allowed_hosts": .array(allowedHosts.map { JSONValue.string($0) })]
        case .allowlist:
            ["type": "allowlist", "domains": .array(domains.map { JSONValue.string($0) })]
        }
    }

    /// The base body from `--from-file`, if given; it must be a JSON object.
    func readBaseBody() throws(CLIFailure) -> JSONObject? {
        guard let fromFile else { return nil }
        let data = try Self.read(fromFile, flag: "--from-file")
        let value: JSONValue
        do {
            value = try JSONParser.parse(data)
        } catch {
            throw .usage("--from-file '\(fromFile)': \(error)")
        }
        guard let object = value.objectValue else {
            throw .usage("--from-file '\(fromFile)' must hold a JSON object (the request body)")
        }
        return object
    }

    /// The contents of `--setup-script`, if given.
    func readSetupScript() throws(CLIFailure) -> String? {
        guard let setupScriptPath else { return nil }
        let data = try Self.read(setupScriptPath, flag: "--setup-script")
        guard let script = String(bytes: data, encoding: .utf8) else {
            throw .usage("--setup-script '\(setupScriptPath)' is not UTF-8 text")
        }
        return script
    }

    /// Sets the config members the flags describe on `body["config"]`.
    ///
    /// - Parameters:
    ///   - requireConfig: create an empty `config` (with `type: cloud`) even if no flag touches it.
    ///   - clearSetupScript: send `setup_script: null`.
    ///   - clearPackages: send `packages: {}`.
    func applyConfig(to body: inout JSONObject, requireConfig: Bool,
                     clearSetupScript: Bool = false, clearPackages: Bool = false) throws(CLIFailure) {
        let script = try readSetupScript()
        let touches = network != nil || changesPackages || clearPackages || script != nil || clearSetupScript
        guard touches || requireConfig else { return }
        var config: JSONObject
        switch body["config"] {
        case nil: config = JSONObject()
        case .object(let object)?: config = object
        case _?: throw .usage("--from-file: \"config\" must be an object")
        }
        if requireConfig, config["type"] == nil {
            config["type"] = "cloud"
        }
        if let networkingValue {
            config["networking"] = networkingValue
        }
        if changesPackages {
            config["packages"] = packagesValue
        } else if clearPackages {
            config["packages"] = .object(JSONObject())
        }
        if let script {
            config["setup_script"] = .string(script)
        } else if clearSetupScript {
            config["setup_script"] = JSONValue.null
        }
        body["config"] = .object(config)
    }

    /// Merges `--metadata` pairs (and `unset` keys as `null`) into `body["metadata"]`.
    func applyMetadata(to body: inout JSONObject, unset: [String] = []) throws(CLIFailure) {
        guard !metadata.isEmpty || !unset.isEmpty else { return }
        var object: JSONObject
        switch body["metadata"] {
        case nil: object = JSONObject()
        case .object(let existing)?: object = existing
        case _?: throw .usage("--from-file: \"metadata\" must be an object")
        }
        for pair in metadata {
            object[pair.key] = .string(pair.value)
        }
        for key in unset {
            object[key] = JSONValue.null
        }
        body["metadata"] = .object(object)
    }

    /// The bytes of a file named by a flag; a missing or unreadable file is a usage error.
    private static func read(_ path: String, flag: String) throws(CLIFailure) -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .usage("\(flag) '\(path)': no such file")
        }
        guard !isDirectory.boolValue else { throw .usage("\(flag) '\(path)' is a directory, not a file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .usage("\(flag) '\(path)': cannot read the file (permission denied?)")
        }
        return data
    }
}
