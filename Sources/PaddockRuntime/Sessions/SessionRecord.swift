import PaddockCore
import PaddockJSON

/// What the runtime remembers of a running session, also kept in `session.json` so that a
/// restarted server can adopt the session again (re-pin its layers, give execs its environment,
/// serve its network policy again).
struct SessionRecord: Sendable {
    /// The session id.
    let sessionID: String
    /// The base image below every layer.
    let base: LayerKey
    /// The layers of its root filesystem, top first (the ones pinned in the layer store).
    let layers: [LayerKey]
    /// The environment of every exec before the request's own variables, in order.
    let environment: [(name: String, value: String)]
    /// The networking policy the session was provisioned with.
    let networking: NetworkingPolicy

    /// The record as JSON.
    var json: JSONValue {
        .object(JSONObject([
            ("session_id", .string(sessionID)),
            ("base", .string(base.hex)),
            ("layers", .array(layers.map { .string($0.hex) })),
            ("environment", .array(environment.map { .array([.string($0.name), .string($0.value)]) })),
            ("networking", networking.json),
        ]))
    }

    /// Writes the record to `path` atomically.
    func write(to path: String) throws(PaddockError) {
        try ImageFiles.writeJSON(json, to: path)
    }

    /// The record in `path`, or nil when it is missing or damaged.
    static func read(from path: String) -> SessionRecord? {
        guard let object = ImageFiles.readJSON(path),
              let id = object["session_id"]?.stringValue,
              let base = object["base"]?.stringValue.flatMap(LayerKey.init(hex:)),
              let layerValues = object["layers"]?.arrayValue,
              let environmentValues = object["environment"]?.arrayValue,
              let networkingValue = object["networking"],
              let networking = try? NetworkingPolicy.parse(networkingValue, param: "networking") else { return nil }
        var layers: [LayerKey] = []
        for value in layerValues {
            guard let key = value.stringValue.flatMap(LayerKey.init(hex:)) else { return nil }
            layers.append(key)
        }
        var environment: [(name: String, value: String)] = []
        for value in environmentValues {
            guard let pair = value.arrayValue, pair.count == 2,
                  let name = pair[0].stringValue, let text = pair[1].stringValue else { return nil }
            environment.append((name, text))
        }
        return SessionRecord(sessionID: id, base: base, layers: layers, environment: environment, networking: networking)
    }
}
