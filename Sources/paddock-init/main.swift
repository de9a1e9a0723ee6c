import PaddockAgentProtocol

// Replaced by the real agent.
print("paddock-init protocol \(AgentProtocol.version)")
