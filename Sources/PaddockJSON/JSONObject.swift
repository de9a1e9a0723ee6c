/// A JSON object: key/value pairs in a fixed order, with unique keys.
///
/// Iteration, ``keys`` and the writer all use the stored order. Setting a new key
/// appends it; setting an existing key replaces its value in place. Equality is
/// order-sensitive (like `OrderedDictionary`), so two equal objects always write
/// the same bytes.
///
/// Lookups are a linear scan for small objects and hashed for larger ones, so
/// building an object key by key is linear in its size.
public struct JSONObject: Sendable, Equatable, Sequence {
    /// A key/value pair, as produced by iteration.
    public typealias Element = (key: String, value: JSONValue)

    /// Objects with at most this many members are searched linearly; larger ones
    /// keep a hash index.
    static let linearSearchLimit = 12

    /// The members in order.
    private var pairs: [Element]
    /// Key -> position in `pairs`; maintained only while `pairs.count > linearSearchLimit`.
    private var index: [String: Int]

    /// Creates an empty object.
    public init() {
        pairs = []
        index = [:]
    }

    /// Creates an object from pairs in order; a later duplicate key replaces the
    /// earlier value but keeps the earlier position.
    public init(_ pairs: [(String, JSONValue)]) {
        self.init()
        self.pairs.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            self[key] = value
        }
    }

    /// The value for `key`, or `nil` if absent.
    ///
    /// Setting a value replaces an existing member in place or appends a new one;
    /// setting `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            position(of: key).map { pairs[$0].value }
        }
        set {
            if let position = position(of: key) {
                if let newValue {
                    pairs[position].value = newValue
                } else {
                    remove(at: position)
                }
            } else if let newValue {
                appendNew(key: key, value: newValue)
            }
        }
    }

    /// The keys in order.
    public var keys: [String] { pairs.map(\.key) }

    /// The values in key order.
    public var values: [JSONValue] { pairs.map(\.value) }

    /// The number of members.
    public var count: Int { pairs.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { pairs.isEmpty }

    /// Whether the object has a member named `key`.
    public func contains(key: String) -> Bool {
        position(of: key) != nil
    }

    /// Returns an iterator over the members in order.
    public func makeIterator() -> IndexingIterator<[Element]> {
        pairs.makeIterator()
    }

    /// The number of members; iteration visits exactly this many.
    public var underestimatedCount: Int { pairs.count }

    /// Two objects are equal when they have the same keys in the same order with
    /// equal values.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.pairs.count == rhs.pairs.count else { return false }
        for (left, right) in zip(lhs.pairs, rhs.pairs) {
            guard left.key == right.key, left.value == right.value else { return false }
        }
        return true
    }

    // MARK: - Internals

    /// Creates an object from pairs whose keys the caller knows are unique.
    init(uniquePairs: [Element]) {
        pairs = uniquePairs
        index = [:]
        if pairs.count > Self.linearSearchLimit {
            rebuildIndex()
        }
    }

    /// Appends a member whose key the caller knows is not present.
    mutating func appendNew(key: String, value: JSONValue) {
        pairs.append((key: key, value: value))
        if pairs.count > Self.linearSearchLimit {
            if index.isEmpty {
                rebuildIndex()
            } else {
                index[key] = pairs.count - 1
            }
        }
    }

    private func position(of key: String) -> Int? {
        if pairs.count > Self.linearSearchLimit {
            return index[key]
        }
        for position in pairs.indices where pairs[position].key == key {
            return position
        }
        return nil
    }

    private mutating func remove(at position: Int) {
        pairs.remove(at: position)
        if pairs.count > Self.linearSearchLimit {
            rebuildIndex()
        } else {
            index = [:]
        }
    }

    private mutating func rebuildIndex() {
        index.removeAll(keepingCapacity: true)
        index.reserveCapacity(pairs.count)
        for (position, pair) in pairs.enumerated() {
            index[pair.key] = position
        }
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Creates an object from a dictionary literal, keeping the written order; a
    /// later duplicate key replaces the earlier value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}
