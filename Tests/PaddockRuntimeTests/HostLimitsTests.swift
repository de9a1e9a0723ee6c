import Foundation
import PaddockCore
import Testing
@testable import PaddockRuntime

@Suite("host limits")
struct HostLimitsTests {
    @Test("raiseOpenFilesToHardLimit lifts a lowered soft NOFILE limit to the hard limit")
    func raisesOpenFiles() throws {
        var limit = rlimit()
        try #require(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0)
        try #require(limit.rlim_max > 256)
        // Lowered a little only, so that tests running alongside never notice.
        var lowered = limit
        lowered.rlim_cur = limit.rlim_max - 1
        try #require(setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lowered) == 0)
        #expect(HostLimits.raiseOpenFilesToHardLimit() == UInt64(limit.rlim_max))
        var after = rlimit()
        try #require(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &after) == 0)
        #expect(after.rlim_cur == limit.rlim_max)
    }
}

@Suite("session liveness")
struct SessionLivenessTests {
    @Test("only a container runc reports gone or not running is dead; no answer from runc is taken as alive")
    func liveness() {
        let running = ContainerState(id: "s", status: .running, pid: 7, bundle: "/b")
        let stopped = ContainerState(id: "s", status: .stopped, pid: nil, bundle: "/b")
        #expect(LocalSessionRuntime.isAlive(.success(running)))
        #expect(!LocalSessionRuntime.isAlive(.success(stopped)))
        #expect(!LocalSessionRuntime.isAlive(.success(nil)))
        #expect(LocalSessionRuntime.isAlive(.failure(PaddockError(.internal, "cannot open /dev/null: Too many open files"))))
    }
}
