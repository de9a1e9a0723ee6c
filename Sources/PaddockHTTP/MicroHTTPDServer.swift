import CMicroHTTPD
#if canImport(Glibc)
import Glibc
#endif

/// The libmicrohttpd transport: the only file that calls libmicrohttpd.
///
/// How MHD is driven:
/// - Internal thread pool with poll(); every callback of one connection runs on one thread.
///   Not epoll: with 0.9.75's edge-triggered epoll loop, a client that sends part of a body
///   and closes at once is not noticed until the connection times out.
/// - The listen socket is opened by `ListenSocket` and handed over (`MHD_OPTION_LISTEN_SOCKET`).
/// - URLs: MHD would unescape the path and the query arguments itself (`%HH` only, in place,
///   truncating at `%00`). Its unescaper is replaced by a no-op and the raw request target,
///   received through `MHD_OPTION_URI_LOG_CALLBACK` before MHD splits it, is decoded by
///   `RequestTarget` instead, so the path, raw path and query items are exact and lossless.
/// - Each request gets an `Exchange` (created in the URI callback, kept in `*con_cls`, freed
///   in `MHD_OPTION_NOTIFY_COMPLETED`). The body is accumulated there up to the route's limit.
/// - The handler runs in a task started with `Task.immediate`: a handler that never suspends
///   completes on the MHD thread and its response is queued at once; otherwise the
///   connection is suspended and resumed when the response is ready, so slow handlers and
///   streams never block an MHD thread.
/// - Streamed bodies use `MHD_create_response_from_callback` (chunked); the reader suspends
///   the connection while no piece is ready.
final class MicroHTTPDServer: @unchecked Sendable {
    let configuration: HTTPServerConfiguration
    let handler: HTTPHandler
    let tracker = ExchangeTracker(resume: { MHD_resume_connection($0) })

    // Set by start() and stopDaemon(), both called by HTTPServer under its lock.
    private var daemon: OpaquePointer?
    private var listenDescriptor: Int32 = -1

    init(configuration: HTTPServerConfiguration, handler: @escaping HTTPHandler) {
        self.configuration = configuration
        self.handler = handler
    }

    // MARK: Daemon lifecycle

    /// Starts the daemon on an already listening socket, which it then owns.
    func start(listening socket: ListenSocket) throws {
        var flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_POLL.rawValue
            | MHD_ALLOW_SUSPEND_RESUME.rawValue
        let me = Unmanaged.passUnretained(self).toOpaque()
        var options: [MHD_OptionItem] = []
        if configuration.errorLog != nil {
            flags |= MHD_USE_ERROR_LOG.rawValue
            options.append(Self.callback(MHD_OPTION.EXTERNAL_LOGGER, logCallback, me))
        }
        options.append(Self.value(MHD_OPTION.LISTEN_SOCKET, Int(socket.descriptor)))
        options.append(Self.value(MHD_OPTION.CONNECTION_LIMIT, max(1, configuration.connectionLimit)))
        options.append(Self.value(MHD_OPTION.CONNECTION_TIMEOUT, max(0, configuration.connectionTimeout)))
        options.append(Self.value(MHD_OPTION.CONNECTION_MEMORY_LIMIT, max(4096, configuration.connectionMemoryLimit)))
        if configuration.threadCount > 1 {
            options.append(Self.value(MHD_OPTION.THREAD_POOL_SIZE, configuration.threadCount))
        }
        options.append(Self.callback(MHD_OPTION.URI_LOG_CALLBACK, uriCallback, me))
        options.append(Self.callback(MHD_OPTION.NOTIFY_COMPLETED, completedCallback, me))
        options.append(Self.callback(MHD_OPTION.UNESCAPE_CALLBACK, unescapeCallback, nil))
        options.append(MHD_OptionItem(option: MHD_OPTION.END, value: 0, ptr_value: nil))

        let started = options.withUnsafeMutableBufferPointer { items in
            withVaList([Int32(bitPattern: MHD_OPTION.ARRAY.rawValue), items.baseAddress!,
                        Int32(bitPattern: MHD_OPTION.END.rawValue)]) { arguments in
                MHD_start_daemon_va(flags, 0, nil, nil, accessCallback, me, arguments)
            }
        }
        guard let started else {
            close(socket.descriptor)
            throw HTTPServerError("libmicrohttpd could not start on port \(socket.port)")
        }
        daemon = started
        listenDescriptor = socket.descriptor
    }

    /// Stops accepting connections; connections already open are still served.
    func quiesce() {
        guard let daemon else { return }
        let descriptor = MHD_quiesce_daemon(daemon)
        // The socket may only be closed after MHD_stop_daemon; shutting it down now makes
        // new connection attempts fail at once instead of waiting in the backlog.
        if descriptor >= 0 { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }

    /// Closes every connection and joins the threads. Parked connections must have been
    /// resumed first (see `ExchangeTracker.forceAll`).
    func stopDaemon() {
        guard let daemon else { return }
        MHD_stop_daemon(daemon)
        self.daemon = nil
        if listenDescriptor >= 0 { close(listenDescriptor) }
        listenDescriptor = -1
    }

    private static func value(_ option: MHD_OPTION, _ value: Int) -> MHD_OptionItem {
        MHD_OptionItem(option: option, value: value, ptr_value: nil)
    }

    private static func callback<F>(_ option: MHD_OPTION, _ function: F, _ context: UnsafeMutableRawPointer?) -> MHD_OptionItem {
        MHD_OptionItem(option: option, value: unsafeBitCast(function, to: Int.self), ptr_value: context)
    }

    // MARK: Requests

    /// One call of the access handler for `exchange`.
    fileprivate func serve(_ exchange: Exchange, method: UnsafePointer<CChar>?,
                           upload: UnsafePointer<CChar>?, uploadSize: UnsafeMutablePointer<Int>) -> MHD_Result {
        switch exchange.phase {
        case .new:
            exchange.phase = .receiving
            exchange.counted = true
            tracker.requestStarted()
            let request = HTTPRequest(method: method.map { String(cString: $0) } ?? "GET", target: exchange.target,
                                      remoteAddress: "")
            exchange.isHead = request.method == "HEAD"
            let connection = exchange.connection
            exchange.limit = configuration.limit(method: request.method, path: request.path) { name in
                Self.header(name, of: connection)
            }
            exchange.request = request
            if let problem = framingProblem(exchange.connection) {
                // Answered before reading the body, and the connection is closed after it:
                // bytes after an ambiguous body must never be read as another request.
                exchange.phase = .responded
                var response = configuration.onMalformed(problem)
                response.headers.append(("connection", "close"))
                return queue(response, exchange)
            }
            if let length = contentLength(exchange.connection) {
                if length > UInt64(exchange.limit) {
                    // Answered before reading the body: MHD then discards it and closes.
                    exchange.phase = .responded
                    return queue(configuration.onTooLarge(exchange.limit), exchange)
                }
                // The claim is not trusted for more than 1 MiB up front.
                exchange.body.reserveCapacity(Int(min(length, 1 << 20)))
            }
            return .YES

        case .receiving:
            let size = uploadSize.pointee
            if size > 0 {
                uploadSize.pointee = 0
                exchange.received += size
                if exchange.overLimit || exchange.received > exchange.limit {
                    // A chunked body over the limit: drop it, answer 413 at its end, but
                    // close the connection if it goes on far past the limit.
                    exchange.overLimit = true
                    exchange.body = []
                    return exchange.received - exchange.limit > max(exchange.limit, 64 * 1024) ? .NO : .YES
                }
                if let upload {
                    exchange.body.append(contentsOf: UnsafeRawBufferPointer(start: upload, count: size))
                }
                return .YES
            }
            if exchange.overLimit {
                exchange.phase = .responded
                return queue(configuration.onTooLarge(exchange.limit), exchange)
            }
            exchange.phase = .handling
            guard var request = exchange.request else { return .NO }
            exchange.request = nil
            request.headers = headers(exchange.connection)
            request.remoteAddress = remoteAddress(exchange.connection)
            request.body = exchange.body
            exchange.body = []
            let handler = self.handler
            Task.immediate {
                let response = await handler(request)
                exchange.deliver(response)
            }
            return respondOrPark(exchange)

        case .handling:
            return respondOrPark(exchange)

        case .responded:
            return .YES
        }
    }

    /// Queues the response if the handler is done, else suspends until it is.
    private func respondOrPark(_ exchange: Exchange) -> MHD_Result {
        if let response = exchange.takeResponse() {
            exchange.phase = .responded
            return queue(response, exchange)
        }
        if exchange.isForced { return .NO }
        if !exchange.registered {
            exchange.registered = true
            tracker.register(exchange)
        }
        MHD_suspend_connection(exchange.connection)
        if exchange.parkForResponse() { MHD_resume_connection(exchange.connection) }
        return .YES
    }

    /// The request is over (answered, failed or cut off).
    fileprivate func complete(_ exchange: Exchange) {
        exchange.close()
        if exchange.counted { tracker.requestFinished() }
        if exchange.registered { tracker.unregister(exchange) }
    }

    /// Turns `response` into an MHD response and queues it.
    private func queue(_ response: HTTPResponse, _ exchange: Exchange) -> MHD_Result {
        let created: OpaquePointer?
        switch response.body {
        case .bytes(let bytes):
            created = bytes.withUnsafeBytes { raw in
                MHD_create_response_from_buffer(raw.count, UnsafeMutableRawPointer(mutating: raw.baseAddress),
                                                .RESPMEM_MUST_COPY)
            }
        case .stream where exchange.isHead:
            // MHD 0.9.75 writes the closing "0\r\n\r\n" chunk even for HEAD, which would
            // corrupt the connection; a HEAD answer is sent with an empty body instead.
            created = MHD_create_response_from_buffer(0, nil, .RESPMEM_PERSISTENT)
        case .stream(let stream):
            let context = Unmanaged.passRetained(exchange)
            created = MHD_create_response_from_callback(UInt64.max, 16 * 1024, streamReaderCallback,
                                                        context.toOpaque(), streamFreeCallback)
            if created == nil {
                context.release()
            } else {
                exchange.startStream(stream)
            }
        }
        guard let created else { return .NO }
        for (name, value) in response.headers where Self.isSendable(name, value) {
            name.withCString { name in
                value.withCString { value in _ = MHD_add_response_header(created, name, value) }
            }
        }
        if tracker.isStopping { _ = MHD_add_response_header(created, "Connection", "close") }
        let status = (100...999).contains(response.status) ? UInt32(response.status) : 500
        let result = MHD_queue_response(exchange.connection, status, created)
        MHD_destroy_response(created)
        return result
    }

    /// Header fields the application may set: a token name, no CR, LF or NUL anywhere, and
    /// not the framing fields MHD computes itself.
    private static func isSendable(_ name: String, _ value: String) -> Bool {
        guard !name.isEmpty else { return false }
        for byte in name.utf8 where byte <= 32 || byte == UInt8(ascii: ":") || byte >= 127 { return false }
        for byte in value.utf8 where byte == 0 || byte == 10 || byte == 13 { return false }
        return !RequestTarget.equalsIgnoringCase(name, "content-length")
            && !RequestTarget.equalsIgnoringCase(name, "transfer-encoding")
    }

    // MARK: Reading the request

    /// Why the request's body framing is ambiguous (RFC 9112 §6.3), or nil when it is sound.
    private func framingProblem(_ connection: OpaquePointer) -> String? {
        let all = headers(connection)
        let lengths = all.filter { RequestTarget.equalsIgnoringCase($0.0, "content-length") }.map(\.1)
        let codings = all.filter { RequestTarget.equalsIgnoringCase($0.0, "transfer-encoding") }.map(\.1)
        if Set(lengths).count > 1 || lengths.contains(where: { $0.contains(",") }) {
            return "conflicting content-length headers; send one"
        }
        if !codings.isEmpty && !lengths.isEmpty {
            return "both content-length and transfer-encoding; send one of them"
        }
        if codings.count > 1 || codings.contains(where: { $0.filter { $0 != " " && $0 != "\t" }.lowercased() != "chunked" }) {
            return "transfer-encoding must be 'chunked'"
        }
        return nil
    }

    private func contentLength(_ connection: OpaquePointer) -> UInt64? {
        var value: UnsafePointer<CChar>?
        var size = 0
        guard MHD_lookup_connection_value_n(connection, .HEADER_KIND, "Content-Length", 14, &value, &size) == .YES,
              let value, size > 0 else { return nil }
        var length: UInt64 = 0
        for index in 0..<size {
            let byte = UInt8(bitPattern: value[index])
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            let (times, overflow1) = length.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return UInt64.max }
            length = sum
        }
        return length
    }

    /// One request header of `connection` by name (any case), read when asked.
    private static func header(_ name: String, of connection: OpaquePointer) -> String? {
        var value: UnsafePointer<CChar>?
        var size = 0
        guard MHD_lookup_connection_value_n(connection, .HEADER_KIND, name, name.utf8.count, &value, &size) == .YES,
              let value else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: value, count: size), as: UTF8.self)
    }

    private func headers(_ connection: OpaquePointer) -> [(String, String)] {
        var headers: [(String, String)] = []
        headers.reserveCapacity(Int(max(0, MHD_get_connection_values_n(connection, .HEADER_KIND, nil, nil))))
        withUnsafeMutablePointer(to: &headers) { pointer in
            _ = MHD_get_connection_values_n(connection, .HEADER_KIND, headerIterator, pointer)
        }
        return headers
    }

    private func remoteAddress(_ connection: OpaquePointer) -> String {
        guard let connectionInfo,
              let info = connectionInfo(connection, .CONNECTION_INFO_CLIENT_ADDRESS),
              let address = info.pointee.client_addr else { return "" }
        return ListenSocket.addressText(address)
    }
}

// MARK: - C callbacks (they capture nothing; the server and exchange travel as context pointers)

private let accessCallback: MHD_AccessHandlerCallback = { cls, connection, url, method, _, upload, uploadSize, context in
    guard let cls, let connection, let uploadSize, let context else { return .NO }
    let server = Unmanaged<MicroHTTPDServer>.fromOpaque(cls).takeUnretainedValue()
    let exchange: Exchange
    if let existing = context.pointee {
        exchange = Unmanaged<Exchange>.fromOpaque(existing).takeUnretainedValue()
    } else {
        let target = url.map { String(cString: $0) } ?? "/"
        exchange = Exchange(target: target, connection: connection, tracker: server.tracker)
        context.pointee = Unmanaged.passRetained(exchange).toOpaque()
    }
    return server.serve(exchange, method: method, upload: upload, uploadSize: uploadSize)
}

/// Receives the raw request target before MHD splits and unescapes it.
private let uriCallback: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, OpaquePointer?)
    -> UnsafeMutableRawPointer? = { cls, uri, connection in
    guard let cls, let uri, let connection else { return nil }
    let server = Unmanaged<MicroHTTPDServer>.fromOpaque(cls).takeUnretainedValue()
    let target = String(decoding: UnsafeRawBufferPointer(start: uri, count: strlen(uri)), as: UTF8.self)
    return Unmanaged.passRetained(Exchange(target: target, connection: connection, tracker: server.tracker)).toOpaque()
}

private let completedCallback: MHD_RequestCompletedCallback = { cls, _, context, _ in
    guard let cls, let context, let raw = context.pointee else { return }
    context.pointee = nil
    let server = Unmanaged<MicroHTTPDServer>.fromOpaque(cls).takeUnretainedValue()
    let exchange = Unmanaged<Exchange>.fromOpaque(raw)
    server.complete(exchange.takeUnretainedValue())
    exchange.release()
}

/// Leaves URLs and arguments as sent; `RequestTarget` decodes the raw target instead.
private let unescapeCallback: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafeMutablePointer<CChar>?)
    -> Int = { _, _, text in
    guard let text else { return 0 }
    return strlen(text)
}

private let streamReaderCallback: MHD_ContentReaderCallback = { cls, _, buffer, max in
    guard let cls, let buffer else { return -2 }
    let exchange = Unmanaged<Exchange>.fromOpaque(cls).takeUnretainedValue()
    switch exchange.read(into: buffer, max: max) {
    case .bytes(let count): return count
    case .end: return -1   // MHD_CONTENT_READER_END_OF_STREAM
    case .failed: return -2   // MHD_CONTENT_READER_END_WITH_ERROR
    case .waiting:
        if !exchange.registered {
            exchange.registered = true
            exchange.tracker.register(exchange)
        }
        MHD_suspend_connection(exchange.connection)
        if exchange.parkForPiece() { MHD_resume_connection(exchange.connection) }
        return 0
    }
}

private let streamFreeCallback: MHD_ContentReaderFreeCallback = { cls in
    guard let cls else { return }
    let exchange = Unmanaged<Exchange>.fromOpaque(cls)
    exchange.takeUnretainedValue().close()
    exchange.release()
}

private let headerIterator: MHD_KeyValueIteratorN = { cls, _, key, keySize, value, valueSize in
    guard let cls else { return .NO }
    let headers = cls.assumingMemoryBound(to: [(String, String)].self)
    let name = key.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: keySize), as: UTF8.self) } ?? ""
    let text = value.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: valueSize), as: UTF8.self) } ?? ""
    headers.pointee.append((name, text))
    return .YES
}

private let logCallback: MHD_LogCallback = { cls, format, arguments in
    guard let cls, let format, let arguments else { return }
    let server = Unmanaged<MicroHTTPDServer>.fromOpaque(cls).takeUnretainedValue()
    var buffer = [CChar](repeating: 0, count: 1024)
    _ = vsnprintf(&buffer, buffer.count, format, arguments)
    let message = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    server.configuration.errorLog?(message.hasSuffix("\n") ? String(message.dropLast()) : message)
}

/// `MHD_get_connection_info` is variadic, which Swift cannot call, so it is looked up and
/// called through a fixed-argument pointer. That is sound here: the info types used take no
/// extra arguments, and 0.9.75's implementation never calls `va_start`.
private let connectionInfo: (@convention(c) (OpaquePointer?, MHD_ConnectionInfoType)
    -> UnsafePointer<MHD_ConnectionInfo>?)? = {
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "MHD_get_connection_info") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (OpaquePointer?, MHD_ConnectionInfoType)
        -> UnsafePointer<MHD_ConnectionInfo>?).self)
}()
