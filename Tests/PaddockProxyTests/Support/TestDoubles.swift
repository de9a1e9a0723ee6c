import Foundation
import PaddockCore
import Synchronization
@testable import PaddockProxy

/// Keeps every event the gateway records.
final class EventLog: EgressRecorder {
    private let events = Mutex<[EgressEvent]>([])

    func record(_ event: EgressEvent) {
        events.withLock { $0.append(event) }
    }

    var all: [EgressEvent] { events.withLock { $0 } }

    /// Waits (polling) until an event satisfies `predicate`; gives up after a minute so a broken
    /// gateway fails the test instead of hanging it.
    func waitFor(_ predicate: @escaping (EgressEvent) -> Bool) async -> EgressEvent? {
        for _ in 0..<3000 {
            if let event = all.first(where: predicate) { return event }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}

/// Maps test names to addresses and remembers which names it was asked for.
final class MapResolver: HostResolver {
    private let table: [String: [IPv4Address]]
    private let asked = Mutex<[String]>([])

    init(_ table: [String: [String]]) {
        self.table = table.mapValues { $0.map { IPv4Address($0)! } }
    }

    func addresses(of host: String) throws(PaddockError) -> [IPv4Address] {
        asked.withLock { $0.append(host) }
        guard let addresses = table[host] else { throw PaddockError(.notFound, "\(host) is not in the test table") }
        return addresses
    }

    var questions: [String] { asked.withLock { $0 } }
}

/// Runs blocking work on a thread of its own, off Swift's cooperative pool.
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
        }
        thread.start()
    }
}

/// Gateway addresses for tests: distinct loopback addresses so suites running in parallel never
/// share a listener.
enum TestAddresses {
    private static let counter = Atomic<Int>(0)

    /// A fresh address in 127.77.0.0/16 (the whole of 127/8 is local on Linux).
    static func next() -> IPv4Address {
        let n = counter.add(1, ordering: .relaxed).newValue
        return IPv4Address(UInt32(127) << 24 | UInt32(77) << 16 | UInt32(n / 250) << 8 | UInt32(n % 250 + 2))
    }
}

/// A TLS ClientHello as a client would send it, optionally with an SNI, optionally split
/// into two records.
func clientHello(serverName: String?, splitRecords: Bool = false) -> [UInt8] {
    func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
    var extensions: [UInt8] = []
    if let serverName {
        let name = Array(serverName.utf8)
        let entry = [0] + u16(name.count) + name
        let list = u16(entry.count) + entry
        extensions += u16(0) + u16(list.count) + list
    }
    extensions += u16(0x002B) + u16(3) + [2, 0x03, 0x04]  // supported_versions: TLS 1.3
    var body: [UInt8] = [0x03, 0x03] + [UInt8](repeating: 0xAB, count: 32) + [0]
    body += u16(4) + [0x13, 0x01, 0x13, 0x02] + [1, 0]
    body += u16(extensions.count) + extensions
    let handshake: [UInt8] = [1, 0, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    func record(_ fragment: ArraySlice<UInt8>) -> [UInt8] { [0x16, 0x03, 0x01] + u16(fragment.count) + fragment }
    guard splitRecords else { return record(handshake[...]) }
    let half = handshake.count / 2
    return record(handshake[..<half]) + record(handshake[half...])
}
