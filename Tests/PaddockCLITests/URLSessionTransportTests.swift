import Foundation
import Testing
@testable import PaddockCLI

@Suite("URLSession transport")
struct URLSessionTransportTests {
    @Test("a closed port is reported as a transport error, not an HTTP status")
    func connectionRefused() async throws {
        // Port 1 (tcpmux) is not served on the test machines; the connection is refused at once.
        let transport = URLSessionTransport(baseURL: "http://127.0.0.1:1", timeout: 10)
        await #expect(throws: TransportError.self) {
            _ = try await transport.send(APIRequest(method: "GET", path: "/v1/environments"))
        }
    }
}
