import Foundation
import PaddockJSON
import PaddockStore
import Synchronization
import Testing

/// `kill -9` the real server while clients write: everything acknowledged survives and the
/// database passes `PRAGMA integrity_check`.
@Suite("durability of the real server process", .serialized)
struct DurabilityTests {
    @Test("kill -9 in the middle of 100 concurrent writers loses nothing acknowledged")
    func killNine() async throws {
        let dir = try TemporaryDirectory.make()
        defer {
            ServerProcess.removeNetwork(of: dir)
            try? FileManager.default.removeItem(atPath: dir)
        }
        let first = try ServerProcess(dataDirectory: dir)
        let key = first.adminKey
        #expect(key.hasPrefix("pdk_"))
        let port = first.port

        // 100 writers each create environments until the server dies; keep what was acknowledged.
        // The kill comes from its own thread once 200 writes are acknowledged, so it lands in
        // the middle of the traffic however fast or slow this machine is.
        let count = Tally()
        Thread.detachNewThread {
            let deadline = Date().addingTimeInterval(60)
            while count.value < 200 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            first.kill9()
        }
        let acknowledged = await withTaskGroup(of: [String].self) { group in
            for writer in 0..<100 {
                group.addTask {
                    var ids: [String] = []
                    for i in 0..<1000 {
                        let body = JSONWriter.bytes(["name": .string("w\(writer)-\(i)"), "config": ["type": "cloud"]])
                        guard let r = try? await RawHTTP.send(port: port, "POST", "/v1/environments",
                                                        headers: [("authorization", "Bearer \(key)"), ("content-type", "application/json")],
                                                        body: body), r.status == 201, let id = r["id"]?.stringValue else { break }
                        ids.append(id)
                        count.add()
                    }
                    return ids
                }
            }
            var all: [String] = []
            for await ids in group { all += ids }
            return all
        }
        #expect(acknowledged.count >= 200, "the kill came after 200 acknowledged writes")

        let store = try PaddockStore(path: dir + "/paddock.db")
        #expect(try await store.integrityCheck() == "ok")
        await store.close()

        let second = try ServerProcess(dataDirectory: dir)
        #expect(second.adminKey == key, "a restart reuses the admin key")
        var missing: [String] = []
        for id in acknowledged {
            let r = try await RawHTTP.send(port: second.port, "GET", "/v1/environments/\(id)", headers: [("authorization", "Bearer \(key)")])
            if r.status != 200 { missing.append(id) }
        }
        #expect(missing.isEmpty, "lost \(missing.count) of \(acknowledged.count) acknowledged writes")
        #expect(second.terminate() == 0, "SIGTERM shuts down cleanly")

        let reopened = try PaddockStore(path: dir + "/paddock.db")
        #expect(try await reopened.integrityCheck() == "ok")
        await reopened.close()
    }

    @Test("first start writes admin.key with mode 0600")
    func adminKeyFile() throws {
        let dir = try TemporaryDirectory.make()
        defer {
            ServerProcess.removeNetwork(of: dir)
            try? FileManager.default.removeItem(atPath: dir)
        }
        let server = try ServerProcess(dataDirectory: dir)
        defer { _ = server.terminate() }
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/admin.key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(server.adminKey.count == 47)
    }
}

/// A counter shared between threads.
final class Tally: Sendable {
    private let state = Mutex(0)
    var value: Int { state.withLock { $0 } }
    func add() { state.withLock { $0 += 1 } }
}
