import PaddockCore

extension EgressLog {
    /// The log's counters as `/metrics` families: attempts by protocol and decision (every
    /// pair, zeros included), bytes by direction, and events the log could not keep.
    var counterFamilies: [CounterFamily] {
        let statistics = self.statistics
        var attempts: [(labels: String, value: Int64)] = []
        for protocolName in EgressProtocol.allCases {
            for allowed in [true, false] {
                attempts.append(("protocol=\"\(protocolName.rawValue)\",decision=\"\(allowed ? "allowed" : "denied")\"",
                                 statistics.attempts(protocolName, allowed: allowed)))
            }
        }
        return [
            CounterFamily(name: "paddock_egress_attempts_total",
                          help: "Outbound attempts of sessions by protocol and decision.", samples: attempts),
            CounterFamily(name: "paddock_egress_bytes_total",
                          help: "Bytes relayed for sessions, up (session to target) and down.",
                          samples: [("direction=\"up\"", statistics.bytesUp), ("direction=\"down\"", statistics.bytesDown)]),
            CounterFamily(name: "paddock_egress_events_dropped_total",
                          help: "Audit events not stored (queue full, store error or unknown session).", samples: [("", statistics.dropped)]),
        ]
    }
}
