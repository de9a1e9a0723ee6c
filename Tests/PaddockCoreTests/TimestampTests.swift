import Foundation
import Testing
@testable import PaddockCore

@Suite("Timestamps")
struct TimestampTests {
    @Test("a formatted time reads back to the same millisecond")
    func roundTrip() throws {
        let date = Date(timeIntervalSince1970: 1_796_307_574.123)
        let text = Timestamp.format(date)
        #expect(text == "2026-12-03T14:19:34.123Z")
        let parsed = try #require(Timestamp.parse(text))
        #expect(abs(parsed.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.0005)
    }

    @Test("other shapes are not timestamps", arguments: ["", "2026-12-03", "2026-12-03T16:19:34Z", "2026-12-03T16:19:34.12xZ",
                                                          "2026-12-03 16:19:34.123Z"])
    func rejects(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }
}
