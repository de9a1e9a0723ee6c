import PaddockJSON

/// Requests whose bodies are not JSON (session files) or are read while they arrive (exec
/// events, the provisioning log).
extension APIClient {
    /// Sends a request with a raw body (or none) and returns the raw answer of a 2xx; an
    /// error answer becomes the failure it describes.
    ///
    /// - Parameters:
    ///   - contentType: the body's media type, e.g. `application/octet-stream`.
    ///   - accept: the media type asked for, e.g. `application/octet-stream` or `text/plain`.
    func sendRaw(_ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
                 contentType: String? = nil, accept: String) async throws(CLIFailure) -> APIResponse {
        var headers = ["authorization": "Bearer \(apiKey)", "accept": accept]
        if body != nil, let contentType { headers["content-type"] = contentType }
        let request = APIRequest(method: method, path: path + URLEncoding.query(query), headers: headers, body: body)
        let response: APIResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw unreachable(error)
        }
        guard (200..<300).contains(response.status) else {
            throw failure(for: response)
        }
        return response
    }

    /// Sends a request (with a JSON body, if any) and returns once the answer's head arrives,
    /// with its body still streaming; an error answer is read whole and thrown.
    ///
    /// - Parameter timeout: how long the stream may be silent; `nil` is the transport's
    ///   stream default (long: a command may print nothing while it runs).
    func stream(_ method: String, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
                accept: String, timeout: Double? = nil) async throws(CLIFailure) -> APIStreamingResponse {
        var headers = ["authorization": "Bearer \(apiKey)", "accept": accept]
        var bodyBytes: [UInt8]?
        if let body {
            headers["content-type"] = "application/json"
            bodyBytes = JSONWriter.bytes(body)
        }
        let request = APIRequest(method: method, path: path + URLEncoding.query(query), headers: headers,
                                 body: bodyBytes, timeout: timeout)
        let response: APIStreamingResponse
        do {
            response = try await transport.stream(request)
        } catch {
            throw unreachable(error)
        }
        guard (200..<300).contains(response.status) else {
            do {
                throw failure(for: try await response.collect())
            } catch let failure as CLIFailure {
                throw failure
            } catch {
                throw unreachable(error)
            }
        }
        return response
    }

    /// The failure an error answer describes, with the key's source on a 401.
    func failure(for response: APIResponse) -> CLIFailure {
        do {
            _ = try Self.decode(response)
            return .failed("HTTP \(response.status)")
        } catch .api(var error) where error.code == .unauthenticated {
            error.message += " (the key came from \(apiKeySource))"
            return .api(error)
        } catch {
            return error
        }
    }

    /// The failure for a request that got no answer.
    func unreachable(_ error: any Error) -> CLIFailure {
        if let error = error as? TransportError {
            return .unreachable(url: baseURL, detail: error.message)
        }
        return .unreachable(url: baseURL, detail: String(describing: error))
    }
}
