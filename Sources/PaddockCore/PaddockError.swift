/// The one error type of Paddock. Every layer throws it; the HTTP layer maps `code` to a status
/// in exactly one place (`ErrorMapping` in PaddockServer) and the CLI maps it back.
public struct PaddockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is; a short, fixed list.
    public enum Code: String, Sendable, CaseIterable {
        /// The request is malformed or a field fails validation (400).
        case invalidArgument
        /// No API key, or an unknown one (401).
        case unauthenticated
        /// The key is valid but may not do this (403).
        case permissionDenied
        /// The object does not exist for this caller (404).
        case notFound
        /// The HTTP method is not allowed on this route (405).
        case methodNotAllowed
        /// A name is taken, or the object is not in a state that allows the call (409).
        case conflict
        /// The body is larger than the route accepts (413).
        case tooLarge
        /// A JSON route got a body that is not `application/json` (415).
        case unsupportedMediaType
        /// Capacity reached; try again later (503).
        case overloaded
        /// A bug or an OS failure; the message is logged, never sent to the client (500).
        case `internal`
    }

    /// The kind of failure.
    public var code: Code
    /// A lower-case sentence naming the field or object and saying how to fix it.
    public var message: String
    /// The offending field path, e.g. `config.networking.domains[1]`, when there is one.
    public var param: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, param: String? = nil) {
        self.code = code
        self.message = message
        self.param = param
    }

    /// A validation failure of one field.
    public static func invalid(_ param: String, _ message: String) -> PaddockError {
        PaddockError(.invalidArgument, "\(param): \(message)", param: param)
    }

    public var description: String { message }
}
