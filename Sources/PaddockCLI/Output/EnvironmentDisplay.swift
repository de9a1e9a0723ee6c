import PaddockJSON

/// How environments look in text output: a row of `env list` and the block of `env get`.
enum EnvironmentDisplay {
    /// The package managers in display order.
    static let managers = ["apt", "pip", "npm"]

    /// The `env list` table.
    static func table(_ environments: [JSONValue]) -> String {
        TextTable(headers: ["ID", "NAME", "NETWORK", "PACKAGES", "CREATED"], rows: environments.map { env in
            [Display.text(env["id"]), Display.text(env["name"]), networkType(env),
             packageCounts(env), Display.timestamp(env["created_at"])]
        }).render()
    }

    /// `apt:1 pip:2 npm:0`.
    static func packageCounts(_ environment: JSONValue) -> String {
        let packages = environment["config"]?["packages"]
        return managers.map { "\($0):\(packages?[$0]?.arrayValue?.count ?? 0)" }.joined(separator: " ")
    }

    /// The networking policy's type; a string shorthand is shown as is.
    static func networkType(_ environment: JSONValue) -> String {
        let networking = environment["config"]?["networking"]
        return networking?.stringValue ?? networking?["type"]?.stringValue ?? "-"
    }

    /// The `env get` block.
    static func detail(_ environment: JSONValue) -> String {
        let config = environment["config"]
        var block = DetailBlock()
        block.add("id", Display.text(environment["id"]))
        block.add("name", Display.text(environment["name"]))
        block.add("description", Display.text(environment["description"]))
        block.add("status", Display.text(environment["status"]))
        block.add("network", network(config?["networking"]))
        let packages = config?["packages"]
        block.add("packages", managers.map { manager in
            "\(manager): " + Display.text(packages?[manager])
        }.joined(separator: "\n"))
        block.add("setup script", config?["setup_script"]?.stringValue.map(trimmedScript) ?? "-")
        let metadata = environment["metadata"]?.objectValue ?? JSONObject()
        block.add("metadata", metadata.isEmpty ? "-" : metadata.map { "\($0.key)=\($0.value.displayText)" }
            .joined(separator: "\n"))
        block.add("created", Display.timestamp(environment["created_at"]))
        block.add("updated", Display.timestamp(environment["updated_at"]))
        return block.render()
    }

    /// The networking policy in words, one detail per line.
    static func network(_ networking: JSONValue?) -> String {
        guard let networking else { return "-" }
        if let shorthand = networking.stringValue { return shorthand }
        let type = networking["type"]?.stringValue ?? "-"
        switch type {
        case "limited":
            let managers = networking["allow_package_managers"]?.boolValue == true ? "allowed" : "not allowed"
            return "limited\npackage managers: \(managers)\nallowed hosts: " + Display.text(networking["allowed_hosts"])
        case "allowlist":
            let domains = networking["domains"]?.arrayValue ?? []
            return "allowlist\ndomains: " + (domains.isEmpty ? "none (no outbound network)" : Display.text(networking["domains"]))
        default:
            return type
        }
    }

    /// A script without its final newline, so the block does not end in an empty line.
    private static func trimmedScript(_ script: String) -> String {
        var script = script
        while script.hasSuffix("\n") { script.removeLast() }
        return script.isEmpty ? "(empty)" : script
    }
}
