import Foundation
import UI
import XCTest

final class HTTPRequestTests: XCTestCase {
    func parse(_ text: String) -> HTTPRequest? { HTTPRequest.parse(Data(text.utf8)) }

    func testAGetIsSplitIntoDecodedSegmentsAndQuery() throws {
        let request = try XCTUnwrap(parse("GET /files/ab%20c/d?run=3&stage=train%40monet&x=a+b HTTP/1.1\r\nHost: h\r\n\r\n"))
        XCTAssertEqual(request.method, "GET")
        XCTAssertEqual(request.segments, ["files", "ab c", "d"])
        XCTAssertEqual(request.query, ["run": "3", "stage": "train@monet", "x": "a b"])
        XCTAssertEqual(request.headers["host"], "h")
    }

    func testEncodedDotsAndSlashesAreDecodedOnceSoTheyCanBeRefused() throws {
        XCTAssertEqual(parse("GET /files/%2e%2e/x HTTP/1.1\r\n\r\n")?.segments, ["files", "..", "x"])
        XCTAssertEqual(parse("GET /files/a%2Fb HTTP/1.1\r\n\r\n")?.segments, ["files", "a/b"])
        XCTAssertEqual(parse("GET /files/%252e%252e HTTP/1.1\r\n\r\n")?.segments, ["files", "%2e%2e"], "decoded once only")
    }

    func testMalformedHeadsAreRejected() {
        XCTAssertNil(parse("GET /x\r\n\r\n"), "no version")
        XCTAssertNil(parse("GET x HTTP/1.1\r\n\r\n"), "not an origin-form path")
        XCTAssertNil(parse("GET /a%00b HTTP/1.1\r\n\r\n"), "NUL")
        XCTAssertNil(parse("GET /a%zz HTTP/1.1\r\n\r\n"), "bad escape")
        XCTAssertNil(parse("GET /a HTTP/1.1\r\nno colon\r\n\r\n"))
        XCTAssertNil(HTTPRequest.parse(Data(repeating: 65, count: HTTPRequest.maxHeadBytes + 1)))
    }
}

final class UITokenTests: XCTestCase {
    func testRandomTokensAre32HexDigitsAndDiffer() {
        let a = UIToken.random(), b = UIToken.random()
        XCTAssertEqual(a.value.count, 32)
        XCTAssertTrue(a.value.allSatisfy(\.isHexDigit))
        XCTAssertNotEqual(a, b)
    }

    func testOnlyTheExactTokenMatches() {
        let token = UIToken(value: "0123456789abcdef0123456789abcdef")
        XCTAssertTrue(token.matches("0123456789abcdef0123456789abcdef"))
        XCTAssertFalse(token.matches("0123456789abcdef0123456789abcdee"))
        XCTAssertFalse(token.matches("0123456789abcdef"))
        XCTAssertFalse(token.matches(""))
        XCTAssertFalse(token.matches(nil))
    }
}

final class DAGLayoutTests: XCTestCase {
    func testAStageSitsOneColumnRightOfItsDeepestParent() {
        let places = DAGLayout.place(ids: ["a", "b", "c", "d"], edges: [("a", "b"), ("b", "c"), ("a", "c"), ("a", "d")])
        XCTAssertEqual(places["a"]?.column, 0)
        XCTAssertEqual(places["b"]?.column, 1)
        XCTAssertEqual(places["c"]?.column, 2)
        XCTAssertEqual(places["d"]?.column, 1)
        XCTAssertEqual(places["d"]?.row, 1, "second in its column")
    }

    func testEdgesToUnknownStagesAndCyclesDoNotHang() {
        let places = DAGLayout.place(ids: ["a", "b"], edges: [("x", "a"), ("a", "b"), ("b", "a")])
        XCTAssertEqual(places.count, 2)
    }

    func testLoopbackMeans127Slash8() {
        XCTAssertTrue(HTTPServer.isLoopback("127.0.0.1"))
        XCTAssertTrue(HTTPServer.isLoopback("127.1.2.3"))
        XCTAssertFalse(HTTPServer.isLoopback("0.0.0.0"))
        XCTAssertFalse(HTTPServer.isLoopback("192.168.1.4"))
        XCTAssertFalse(HTTPServer.isLoopback("localhost"), "an address, not a name")
    }
}
