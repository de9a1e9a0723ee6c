/// The validated `config.packages` of an environment: apt, pip and npm entries in the order
/// given, each list at most 256 entries and free of duplicates.
public struct PackageLists: Sendable, Hashable {
    /// Debian packages, installed first.
    public var apt: [AptPackage]
    /// Python requirements.
    public var pip: [PipRequirement]
    /// npm packages, installed globally.
    public var npm: [NpmPackage]

    /// The most entries one list may have.
    public static let maxEntries = 256

    /// Creates lists from already parsed entries (no duplicate check; use `validate` for input).
    public init(apt: [AptPackage] = [], pip: [PipRequirement] = [], npm: [NpmPackage] = []) {
        self.apt = apt
        self.pip = pip
        self.npm = npm
    }

    /// Whether there is nothing to install.
    public var isEmpty: Bool { apt.isEmpty && pip.isEmpty && npm.isEmpty }

    /// Parses the three lists of `param` (e.g. `config.packages`), naming entries as
    /// `config.packages.apt[3]`. Refuses lists over 256 entries and duplicates: the same apt or
    /// npm package name twice (a second entry would override the first), or the same pip
    /// requirement up to name normalisation and spacing; the message names both entries.
    public static func validate(apt: [String], pip: [String], npm: [String], param: String) throws(PaddockError) -> PackageLists {
        let aptPackages = try parseList(apt, param: "\(param).apt", parse: AptPackage.parse, key: \.name)
        let pipRequirements = try parseList(pip, param: "\(param).pip", parse: PipRequirement.parse, key: \.duplicateKey)
        let npmPackages = try parseList(npm, param: "\(param).npm", parse: NpmPackage.parse, key: \.name)
        return PackageLists(apt: aptPackages, pip: pipRequirements, npm: npmPackages)
    }

    private static func parseList<Entry: CustomStringConvertible>(
        _ texts: [String], param: String,
        parse: (String, String) throws(PaddockError) -> Entry,
        key: (Entry) -> String
    ) throws(PaddockError) -> [Entry] {
        guard texts.count <= maxEntries else {
            throw .invalid(param, "has \(texts.count) entries; at most \(maxEntries) are allowed, install the rest from setup_script")
        }
        var entries: [Entry] = []
        var seen: [String: Int] = [:]
        for (index, text) in texts.enumerated() {
            let entry = try parse(text, "\(param)[\(index)]")
            let entryKey = key(entry)
            if let first = seen[entryKey] {
                throw .invalid("\(param)[\(index)]",
                               "\(EntryText.quoted(text)) repeats \(param)[\(first)] (\(EntryText.quoted(texts[first]))); list each package once")
            }
            seen[entryKey] = index
            entries.append(entry)
        }
        return entries
    }
}
