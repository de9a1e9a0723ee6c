import Foundation
import PaddockTestSupport
import Glibc
import PaddockCore
import Testing

/// `paddock-proxy-bench` (one gateway, one session whose allowlist is given) running as a child
/// process on 127.0.0.1, for measurements that must not include the test process.
struct GatewayProcess: Sendable {
    let pid: pid_t
    let port: Int

    /// The built binary next to the test bundle (or up to two directories up), if any.
    static let binary = BuiltProducts.path(of: "paddock-proxy-bench")

    /// Starts the gateway on a free port with `allowing` (`host:port`) as its session's policy
    /// and waits for its `ready PORT` line.
    static func start(allowing entry: String) async throws -> GatewayProcess {
        let binary = try #require(binary)
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--listen", "127.0.0.1:\(port)", "--allow", entry]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        let line = try await onThread { () -> String in
            var text = ""
            var byte: UInt8 = 0
            while !text.hasSuffix("\n"), read(output.fileHandleForReading.fileDescriptor, &byte, 1) == 1 {
                text.append(Character(UnicodeScalar(byte)))
            }
            return text
        }
        guard line == "ready \(port)\n" else {
            kill(pid, SIGKILL)
            throw SocketFailure(description: "paddock-proxy-bench did not start: \(line)")
        }
        return GatewayProcess(pid: pid, port: port)
    }

    /// Ends the process and reaps it.
    func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = TestSocket.address(IPv4Address("127.0.0.1")!, 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw SocketFailure(description: "cannot bind a free port") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
