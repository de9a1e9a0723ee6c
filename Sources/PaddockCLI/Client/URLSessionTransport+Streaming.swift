import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension URLSessionTransport {
    /// How long a streamed answer may be silent when the request sets no timeout: a command
    /// may print nothing for as long as it runs, and provisioning may build for many minutes.
    public static let streamSilenceLimit: TimeInterval = 86_400

    /// Sends `request` and hands back the body piece by piece as the server sends it.
    public func stream(_ request: APIRequest) async throws -> APIStreamingResponse {
        let timeout = request.timeout ?? Self.streamSilenceLimit
        let urlRequest = try urlRequest(for: request, timeout: timeout)
        let configuration = URLSessionConfiguration.default
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let receiver = StreamReceiver()
        // One URLSession per stream: the delegate is per session; it is invalidated when the
        // task completes, which releases the receiver.
        let session = URLSession(configuration: configuration, delegate: receiver, delegateQueue: nil)
        let task = session.dataTask(with: urlRequest)
        receiver.onTermination = { [weak task] in task?.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                receiver.start(head: continuation)
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }
}

/// Turns URLSession's delegate calls into an `APIStreamingResponse`: the head resumes the
/// waiting caller, each data callback yields one piece, completion ends the body.
private final class StreamReceiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var head: CheckedContinuation<APIStreamingResponse, any Error>?
    private let body: AsyncThrowingStream<[UInt8], any Error>
    private let pieces: AsyncThrowingStream<[UInt8], any Error>.Continuation
    /// Called once when the consumer stops reading the body (cancels the task).
    var onTermination: (@Sendable () -> Void)? {
        didSet {
            let cancel = onTermination
            pieces.onTermination = { _ in cancel?() }
        }
    }

    override init() {
        (body, pieces) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        super.init()
    }

    func start(head continuation: CheckedContinuation<APIStreamingResponse, any Error>) {
        lock.withLock { head = continuation }
    }

    /// The waiting caller, handed out once.
    private func takeHead() -> CheckedContinuation<APIStreamingResponse, any Error>? {
        lock.withLock {
            defer { head = nil }
            return head
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        guard let http = response as? HTTPURLResponse else {
            takeHead()?.resume(throwing: TransportError("the answer was not HTTP"))
            completionHandler(.cancel)
            return
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            headers[String(describing: name).lowercased()] = String(describing: value)
        }
        takeHead()?.resume(returning: APIStreamingResponse(status: http.statusCode, headers: headers, body: body))
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        pieces.yield([UInt8](data))
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if let error {
            let failure = TransportError(URLSessionTransport.describe(error))
            takeHead()?.resume(throwing: failure)
            pieces.finish(throwing: failure)
        } else {
            takeHead()?.resume(throwing: TransportError("the connection closed without an answer"))
            pieces.finish()
        }
        session.finishTasksAndInvalidate()
    }
}
