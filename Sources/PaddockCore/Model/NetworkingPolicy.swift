import PaddockJSON

/// What a session may reach on the network (see `design/network.md`).
public enum NetworkingPolicy: Sendable, Hashable {
    /// Any public address, except the always-denied set.
    case unrestricted
    /// Known-safe services, plus package managers when allowed, plus `allowedHosts`; HTTP(S) only.
    case limited(allowPackageManagers: Bool, allowedHosts: [HostPattern])
    /// Only `domains`; an empty list means no outbound network at all.
    case allowlist(domains: [HostPattern])

    /// The policy type names, as accepted on the wire.
    public static let typeNames = ["unrestricted", "limited", "allowlist"]
    /// The most entries a host list may have.
    public static let maxHosts = 256

    /// The policy's `type` value.
    public var typeName: String {
        switch self {
        case .unrestricted: "unrestricted"
        case .limited: "limited"
        case .allowlist: "allowlist"
        }
    }

    /// Reads a policy: the string `"unrestricted"` or an object with `type`.
    public static func parse(_ value: JSONValue, param: String) throws(PaddockError) -> NetworkingPolicy {
        if case .string(let s) = value {
            if s == "unrestricted" { return .unrestricted }
            if s == "limited" || s == "allowlist" {
                let example = s == "limited"
                    ? #"{"type": "limited", "allow_package_managers": true}"#
                    : #"{"type": "allowlist", "domains": ["pypi.org"]}"#
                throw PaddockError.invalid(param, "'\(s)' must be written as an object, e.g. \(example); only 'unrestricted' has a string shorthand")
            }
            throw PaddockError.invalid(param, "'\(s)' is not a networking policy; use 'unrestricted', or an object whose type is one of \(quotedList(typeNames))")
        }
        guard case .object(let object) = value else {
            throw PaddockError.invalid(param, "must be the string 'unrestricted' or an object with a 'type', not \(value.kindName)")
        }
        let typeParam = "\(param).type"
        guard let typeValue = object["type"] else { throw PaddockError.invalid(typeParam, "is required; use one of \(quotedList(typeNames))") }
        guard case .string(let type) = typeValue, typeNames.contains(type) else {
            throw PaddockError.invalid(typeParam, "must be one of \(quotedList(typeNames))")
        }
        switch type {
        case "unrestricted":
            _ = try FieldReader(value, path: param, allowedKeys: ["type"])
            return .unrestricted
        case "limited":
            let fields = try FieldReader(value, path: param, allowedKeys: ["type", "allow_package_managers", "allowed_hosts"])
            let allow = try fields.bool("allow_package_managers") ?? false
            let hosts = try hostList(fields.strings("allowed_hosts", maxCount: maxHosts) ?? [], param: fields.path("allowed_hosts"))
            if let i = hosts.firstIndex(where: { $0.port != nil }) {
                throw PaddockError.invalid("\(fields.path("allowed_hosts"))[\(i)]",
                                           "'\(hosts[i])' names a port, but a limited policy allows HTTP(S) on ports 80 and 443 only; drop the port, or use an allowlist policy for other ports")
            }
            return .limited(allowPackageManagers: allow, allowedHosts: hosts)
        default:
            let fields = try FieldReader(value, path: param, allowedKeys: ["type", "domains"])
            guard let domains = try fields.strings("domains", maxCount: maxHosts) else {
                throw PaddockError.invalid(fields.path("domains"), "is required for an allowlist; give a list of host names ([] for no network)")
            }
            return .allowlist(domains: try hostList(domains, param: fields.path("domains")))
        }
    }

    private static func hostList(_ texts: [String], param: String) throws(PaddockError) -> [HostPattern] {
        var patterns: [HostPattern] = []
        for (i, text) in texts.enumerated() {
            let pattern = try HostPattern.parse(text, param: "\(param)[\(i)]")
            if let j = patterns.firstIndex(of: pattern) {
                throw PaddockError.invalid("\(param)[\(i)]", "'\(text)' repeats entry \(j) ('\(pattern)'); list each host once")
            }
            patterns.append(pattern)
        }
        return patterns
    }

    /// The wire form: always the object, with every field present.
    public var json: JSONValue {
        switch self {
        case .unrestricted:
            return ["type": "unrestricted"]
        case .limited(let allow, let hosts):
            return ["type": "limited", "allow_package_managers": .bool(allow),
                    "allowed_hosts": .array(hosts.map { .string($0.description) })]
        case .allowlist(let domains):
            return ["type": "allowlist", "domains": .array(domains.map { .string($0.description) })]
        }
    }
}

func quotedList(_ names: [String]) -> String { names.map { "'\($0)'" }.joined(separator: ", ") }
