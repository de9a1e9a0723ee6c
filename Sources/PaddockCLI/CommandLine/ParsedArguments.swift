/// The values found on the command line for one command's declared parameters.
///
/// Reading a name the command did not declare is a programming error and traps, so a typo
/// such as `flag("alow-host")` fails the first test that runs the command.
struct ParsedArguments: Sendable {
    /// The declared parameters, by name.
    let declared: [String: Parameter]
    private(set) var optionValues: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    private(set) var arguments: [String: String] = [:]

    /// Creates an empty set of values for `parameters`.
    init(parameters: [Parameter]) {
        var declared: [String: Parameter] = [:]
        for parameter in parameters { declared[parameter.name] = parameter }
        self.declared = declared
    }

    /// The value of a single-valued option, if given.
    func value(_ name: String) -> String? {
        check(name)
        return optionValues[name]?.last
    }

    /// Every value of a repeatable option, in command-line order.
    func values(_ name: String) -> [String] {
        check(name)
        return optionValues[name] ?? []
    }

    /// Whether a flag was given.
    func flag(_ name: String) -> Bool {
        check(name)
        return flags.contains(name)
    }

    /// The value of a positional argument, if given.
    func argument(_ name: String) -> String? {
        check(name)
        return arguments[name]
    }

    /// Whether an option was given at all.
    func has(_ name: String) -> Bool {
        check(name)
        return optionValues[name] != nil || flags.contains(name)
    }

    mutating func append(_ value: String, to name: String) {
        optionValues[name, default: []].append(value)
    }

    mutating func set(flag name: String) {
        flags.insert(name)
    }

    mutating func set(argument name: String, to value: String) {
        arguments[name] = value
    }

    private func check(_ name: String) {
        precondition(declared[name] != nil, "parameter '\(name)' is not declared")
    }
}

extension ParsedArguments {
    /// An integer option within `range`, or a usage error naming the option.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(CLIFailure) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw .usage("--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound) (got '\(text)')")
        }
        return number
    }

    /// An option whose value must be one of the cases of `type`.
    func choice<Choice: RawRepresentable & CaseIterable>(_ name: String, as type: Choice.Type) throws(CLIFailure) -> Choice?
    where Choice.RawValue == String {
        guard let text = value(name) else { return nil }
        guard let choice = Choice(rawValue: text) else {
            let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw .usage("--\(name) must be one of \(allowed) (got '\(text)')")
        }
        return choice
    }

    /// A repeatable `KEY=VALUE` option as ordered pairs; keys must be non-empty and unique.
    func keyValuePairs(_ name: String) throws(CLIFailure) -> [(key: String, value: String)] {
        var pairs: [(key: String, value: String)] = []
        for text in values(name) {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw .usage("--\(name) takes KEY=VALUE (got '\(text)')")
            }
            let key = String(text[..<equals])
            guard !pairs.contains(where: { $0.key == key }) else {
                throw .usage("--\(name) sets '\(key)' more than once; give each key once")
            }
            pairs.append((key: key, value: String(text[text.index(after: equals)...])))
        }
        return pairs
    }
}
