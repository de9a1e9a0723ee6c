/// A response body produced piece by piece and sent with chunked transfer encoding.
///
/// The server pulls the next piece only after the previous one was handed to the socket,
/// so a slow client slows the producer down. When the client goes away the pulling task is
/// cancelled (an `AsyncStream` source then sees its `onTermination`).
public final class HTTPBodyStream: Sendable {
    private let pull: @Sendable () async -> [UInt8]?

    /// A stream that calls `next` for each piece; `nil` ends the body.
    public init(next: @escaping @Sendable () async -> [UInt8]?) {
        self.pull = next
    }

    /// A stream that forwards the pieces of `stream` until it finishes.
    public convenience init(_ stream: AsyncStream<[UInt8]>) {
        let box = IteratorBox(stream.makeAsyncIterator())
        self.init(next: { await box.next() })
    }

    /// A stream and the continuation that feeds it (`yield` pieces, then `finish()`).
    public static func makeStream() -> (stream: HTTPBodyStream, continuation: AsyncStream<[UInt8]>.Continuation) {
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        return (HTTPBodyStream(stream), continuation)
    }

    /// The next piece, or nil at the end. Only one caller may pull at a time.
    public func next() async -> [UInt8]? {
        await pull()
    }

    /// Reads the stream to its end, for tests and small bodies.
    public func collect() async -> [UInt8] {
        var bytes: [UInt8] = []
        while let piece = await pull() { bytes += piece }
        return bytes
    }
}

/// Holds an `AsyncStream` iterator; the stream is pulled by one task at a time.
private final class IteratorBox: @unchecked Sendable {
    private var iterator: AsyncStream<[UInt8]>.Iterator

    init(_ iterator: AsyncStream<[UInt8]>.Iterator) {
        self.iterator = iterator
    }

    func next() async -> [UInt8]? {
        await iterator.next()
    }
}
