import Foundation
import Synchronization

/// Request counters and latency histograms by route and status, in Prometheus text format.
final class Metrics: Sendable {
    private struct Key: Hashable { let method: String; let route: String; let status: Int }
    private struct Series { var count = 0; var sum = 0.0; var buckets: [Int] }
    private static let bounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    private let series = Mutex([Key: Series]())
    private let started = Date()
    private let counterSources = Mutex<[@Sendable () -> [CounterFamily]]>([])

    /// Adds counters kept elsewhere (e.g. the egress log's) to every rendering, after the
    /// request metrics.
    func addCounters(_ source: @escaping @Sendable () -> [CounterFamily]) {
        counterSources.withLock { $0.append(source) }
    }

    /// Records one finished request.
    func record(method: String, route: String, status: Int, seconds: Double) {
        let key = Key(method: method, route: route, status: status)
        series.withLock { all in
            var s = all[key] ?? Series(buckets: Array(repeating: 0, count: Self.bounds.count))
            s.count += 1
            s.sum += seconds
            for (i, bound) in Self.bounds.enumerated() where seconds <= bound { s.buckets[i] += 1 }
            all[key] = s
        }
    }

    /// The exposition text. `gauges` are extra lines of `name value` with their help text.
    func render(gauges: [(name: String, help: String, samples: [(labels: String, value: Double)])]) -> String {
        let snapshot = series.withLock { $0 }.sorted { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }
        var out = "# HELP paddock_http_requests_total HTTP requests by route, method and status.\n"
        out += "# TYPE paddock_http_requests_total counter\n"
        for (key, s) in snapshot { out += "paddock_http_requests_total{\(labels(key))} \(s.count)\n" }
        out += "# HELP paddock_http_request_duration_seconds HTTP request latency by route, method and status.\n"
        out += "# TYPE paddock_http_request_duration_seconds histogram\n"
        for (key, s) in snapshot {
            let l = labels(key)
            for (i, bound) in Self.bounds.enumerated() {
                out += "paddock_http_request_duration_seconds_bucket{\(l),le=\"\(bound)\"} \(s.buckets[i])\n"
            }
            out += "paddock_http_request_duration_seconds_bucket{\(l),le=\"+Inf\"} \(s.count)\n"
            out += "paddock_http_request_duration_seconds_sum{\(l)} \(s.sum)\n"
            out += "paddock_http_request_duration_seconds_count{\(l)} \(s.count)\n"
        }
        for gauge in gauges {
            out += "# HELP \(gauge.name) \(gauge.help)\n# TYPE \(gauge.name) gauge\n"
            for sample in gauge.samples {
                out += sample.labels.isEmpty ? "\(gauge.name) \(sample.value)\n" : "\(gauge.name){\(sample.labels)} \(sample.value)\n"
            }
        }
        for family in counterSources.withLock({ $0 }).flatMap({ $0() }) {
            out += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) counter\n"
            for sample in family.samples {
                out += sample.labels.isEmpty ? "\(family.name) \(sample.value)\n" : "\(family.name){\(sample.labels)} \(sample.value)\n"
            }
        }
        out += "# HELP paddock_uptime_seconds Seconds since the server started.\n# TYPE paddock_uptime_seconds gauge\n"
        out += "paddock_uptime_seconds \(Date().timeIntervalSince(started))\n"
        return out
    }

    private func labels(_ key: Key) -> String {
        "method=\"\(key.method)\",route=\"\(escape(key.route))\",status=\"\(key.status)\""
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// One counter metric with its samples; `labels` is the text between the braces, already escaped.
struct CounterFamily: Sendable {
    let name: String
    let help: String
    let samples: [(labels: String, value: Int64)]
}
