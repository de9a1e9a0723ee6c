/// The version of the server ↔ paddock-init wire format.
public enum AgentProtocol {
    /// Bumped on any incompatible change of the framing.
    public static let version = 1
}
