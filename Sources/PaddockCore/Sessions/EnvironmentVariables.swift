import PaddockJSON

/// The rules of `env` objects (a session's and one exec's variables, api.md): at most 128
/// pairs, names `[A-Za-z_][A-Za-z0-9_]*` of at most 256 bytes, values of at most 32 KiB
/// without NUL. Variables are kept as `(name, value)` pairs in the order the request gave them,
/// the shape the agent's `ExecRequest` takes.
public enum EnvironmentVariables {
    /// One variable.
    public typealias Pair = (name: String, value: String)

    /// The most variables one object may hold.
    public static let maxCount = 128
    /// The longest name, in UTF-8 bytes.
    public static let maxNameBytes = 256
    /// The longest value, in UTF-8 bytes (32 KiB).
    public static let maxValueBytes = 32 * 1024

    /// Reads an `env` object whose values are all strings; errors name `param.NAME`.
    public static func parse(_ value: JSONValue, param: String) throws(PaddockError) -> [Pair] {
        guard case .object(let object) = value else {
            throw PaddockError.invalid(param, "must be an object of string values such as {\"FOO\": \"bar\"}, not \(value.kindName)")
        }
        if object.count > maxCount {
            throw PaddockError.invalid(param, "has \(object.count) variables; at most \(maxCount) are allowed")
        }
        var variables: [Pair] = []
        variables.reserveCapacity(object.count)
        for (name, item) in object {
            let itemParam = "\(param).\(name)"
            try checkName(name, in: param)
            guard case .string(let text) = item else {
                throw invalid(itemParam, shown: "\(param).\(ClientText.shown(name))", "must be a string, not \(item.kindName)")
            }
            if text.utf8.contains(0) {
                throw invalid(itemParam, shown: "\(param).\(ClientText.shown(name))", "contains a NUL character, which no program can receive; remove it")
            }
            let bytes = text.utf8.count
            if bytes > maxValueBytes {
                throw invalid(itemParam, shown: "\(param).\(ClientText.shown(name))",
                              "is \(bytes) bytes long; use at most \(maxValueBytes) (32 KiB), or write larger data to a file")
            }
            variables.append((name, text))
        }
        return variables
    }

    /// Throws unless `name` is a portable variable name; the error names `base.NAME`.
    static func checkName(_ name: String, in base: String) throws(PaddockError) {
        let bytes = Array(name.utf8)
        let param = "\(base).\(name)"
        let display = "\(base).\(ClientText.shown(name))"
        if bytes.isEmpty {
            throw invalid(param, shown: display, "an empty name is not a variable name; use letters, digits and '_'")
        }
        if bytes.count > maxNameBytes {
            throw invalid(param, shown: display, "the name is \(bytes.count) bytes long; use at most \(maxNameBytes)")
        }
        func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") || b == UInt8(ascii: "_") }
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        guard isLetter(bytes[0]), bytes.allSatisfy({ isLetter($0) || isDigit($0) }) else {
            throw invalid(param, shown: display,
                          "'\(ClientText.shown(name))' is not a variable name; use letters, digits and '_', not starting with a digit")
        }
    }

    /// An error whose `param` is the exact path but whose message shows a printable, short form.
    private static func invalid(_ param: String, shown: String, _ message: String) -> PaddockError {
        PaddockError(.invalidArgument, "\(shown): \(message)", param: param)
    }

    /// The variables as a dictionary (a later duplicate name wins).
    public static func dictionary(_ pairs: [Pair]) -> [String: String] {
        Dictionary(pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// The wire form: an object in the given order.
    public static func json(_ pairs: [Pair]) -> JSONValue {
        .object(JSONObject(pairs.map { ($0.name, JSONValue.string($0.value)) }))
    }

    /// Whether two lists hold the same pairs in the same order.
    public static func equal(_ a: [Pair], _ b: [Pair]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
