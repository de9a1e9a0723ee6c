import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real transport: `URLSession` against a base URL such as `http://127.0.0.1:8080`.
public struct URLSessionTransport: APITransport {
    /// The server's base URL without a trailing slash.
    public let baseURL: String
    /// Seconds to wait for a response before giving up.
    public let timeout: TimeInterval

    /// Creates a transport for the server at `baseURL`.
    public init(baseURL: String, timeout: TimeInterval = 120) {
        self.baseURL = baseURL
        self.timeout = timeout
    }

    /// Sends `request` and waits for the whole response.
    public func send(_ request: APIRequest) async throws -> APIResponse {
        let finalRequest = try urlRequest(for: request, timeout: request.timeout ?? timeout)
        return try await withCheckedThrowingContinuation { continuation in
            let task = URLSession.shared.dataTask(with: finalRequest) { data, response, error in
                if let error {
                    continuation.resume(throwing: TransportError(Self.describe(error)))
                    return
                }
                guard let http = response as? HTTPURLResponse else {
                    continuation.resume(throwing: TransportError("the answer was not HTTP"))
                    return
                }
                var headers: [String: String] = [:]
                for (name, value) in http.allHeaderFields {
                    headers[String(describing: name).lowercased()] = String(describing: value)
                }
                continuation.resume(returning: APIResponse(status: http.statusCode, headers: headers,
                                                           body: data.map { [UInt8]($0) } ?? []))
            }
            task.resume()
        }
    }

    /// The `URLRequest` for `request`, which waits at most `timeout` seconds for the next bytes.
    func urlRequest(for request: APIRequest, timeout: TimeInterval) throws -> URLRequest {
        guard let url = URL(string: baseURL + request.path) else {
            throw TransportError("'\(baseURL + request.path)' is not a valid URL")
        }
        var urlRequest = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers {
            urlRequest.setValue(value, forHTTPHeaderField: name)
        }
        if let body = request.body {
            urlRequest.httpBody = Data(body)
        }
        return urlRequest
    }

    /// A short reason for a failed request, without Foundation's error-domain noise.
    static func describe(_ error: any Error) -> String {
        guard let urlError = error as? URLError else { return String(describing: error) }
        switch urlError.code {
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost, .dnsLookupFailed: return "unknown host"
        case .timedOut: return "no answer (timed out)"
        case .networkConnectionLost: return "the connection was closed before the answer arrived"
        case .notConnectedToInternet: return "no network"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            return "TLS failed (\(urlError.localizedDescription))"
        default: return urlError.localizedDescription
        }
    }
}
