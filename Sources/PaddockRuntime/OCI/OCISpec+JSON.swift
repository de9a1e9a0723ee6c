import Foundation
import PaddockCore

extension OCI.Spec {
    /// The spec as `config.json` bytes: pretty-printed, keys sorted, so equal specs are equal
    /// files (and a diff between two bundles is readable).
    public func jsonData() throws(PaddockError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(self)
        } catch {
            throw PaddockError(.internal, "cannot encode the oci spec: \(error)")
        }
    }

    /// Reads a spec back from `config.json` bytes (e.g. when re-adopting a container).
    public init(jsonData: Data) throws(PaddockError) {
        do {
            self = try JSONDecoder().decode(OCI.Spec.self, from: jsonData)
        } catch {
            throw PaddockError(.invalidArgument, "config.json is not a valid oci spec: \(error)")
        }
    }
}
