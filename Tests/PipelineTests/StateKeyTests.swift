@testable import Pipeline
import XCTest

/// The keys file states are kept under: lexical, and the same for every spelling of one path.
final class StateKeyTests: XCTestCase {
    func testACleanAbsolutePathIsItsOwnKey() {
        XCTAssertEqual(ContentHasher.stateKey("/w/artifacts/cache/ab12/out"), "/w/artifacts/cache/ab12/out")
        XCTAssertEqual(ContentHasher.stateKey("/w/a..b/x./y"), "/w/a..b/x./y")
    }

    func testDotsRepeatedAndTrailingSlashesResolveLexically() {
        XCTAssertEqual(ContentHasher.stateKey("/w//data/./x/../y.png"), "/w/data/y.png")
        XCTAssertEqual(ContentHasher.stateKey("/w/data/"), "/w/data")
        XCTAssertEqual(ContentHasher.stateKey("/w/data/."), "/w/data")
        XCTAssertEqual(ContentHasher.stateKey("/w/data/.."), "/w")
        XCTAssertEqual(ContentHasher.stateKey("/../x"), "/x")
        XCTAssertEqual(ContentHasher.stateKey("/"), "/")
    }

    func testRelativePathsStayRelative() {
        XCTAssertEqual(ContentHasher.stateKey("./a/b"), "a/b")
        XCTAssertEqual(ContentHasher.stateKey("../a"), "../a")
        XCTAssertEqual(ContentHasher.stateKey("a/../.."), "..")
        XCTAssertEqual(ContentHasher.stateKey("."), ".")
    }
}
