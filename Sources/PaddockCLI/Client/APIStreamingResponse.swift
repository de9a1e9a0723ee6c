/// The server's answer to an `APIRequest` whose body is read while it arrives.
public struct APIStreamingResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Header fields with lower-case names.
    public var headers: [String: String]
    /// The body in the pieces the network delivered; it ends when the server ends the
    /// response and throws a `TransportError` when the connection breaks first. Cancelling the
    /// task that iterates it (or dropping the response) closes the connection.
    public var body: AsyncThrowingStream<[UInt8], any Error>

    /// Creates a response.
    public init(status: Int, headers: [String: String] = [:], body: AsyncThrowingStream<[UInt8], any Error>) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The whole body, read to its end (for error responses, which are small JSON).
    public func collect() async throws -> APIResponse {
        var bytes: [UInt8] = []
        for try await piece in body { bytes += piece }
        return APIResponse(status: status, headers: headers, body: bytes)
    }
}
