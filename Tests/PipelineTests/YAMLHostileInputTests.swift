@testable import Pipeline
import XCTest

/// Spec files come from elsewhere too: a few hundred bytes must not take the process down or
/// keep it busy for minutes. Both found by hand while writing the spec fuzz target.
final class YAMLHostileInputTests: XCTestCase {
    func assertRefused(_ text: String, saying fragment: String, line: UInt = #line) {
        XCTAssertThrowsError(try YAMLParser.parse(text, file: "hostile.yaml"), line: line) {
            XCTAssertTrue("\($0)".contains("hostile.yaml:"), "\($0)", line: line)
            XCTAssertTrue("\($0)".contains(fragment), "\($0)", line: line)
        }
    }

    /// 100,000 nested `[` overflowed the stack when the tree was freed.
    func testDeepNestingIsRefused() {
        assertRefused("a: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000),
                      saying: "collections nested more than 100 levels deep")
    }

    /// Aliases count with what they stand for, so they cannot build depth cheaply either.
    func testDeepNestingThroughAliasesIsRefused() {
        let deep = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        assertRefused("a: &a \(deep)\nb: " + String(repeating: "[", count: 60) + "*a" + String(repeating: "]", count: 60),
                      saying: "nested more than 100 levels deep")
    }

    /// Nine aliases of nine aliases … nine levels down: 387 million nodes from 300 bytes.
    func testAliasBombIsRefused() {
        var text = "a: &a [x, x, x, x, x, x, x, x, x]\n", previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
            previous = name
        }
        assertRefused(text, saying: "more than 100000 nodes once aliases are expanded")
    }

    func testOrdinaryAliasesStillWork() throws {
        let root = try YAMLParser.parse("a: &a [1, 2, 3]\nb: [*a, *a, *a]\n", file: "fine.yaml")
        XCTAssertEqual(root.mapping?[1].value.sequence?.count, 3)
    }
}
