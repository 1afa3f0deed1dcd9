import Foundation
import TestSupport
import XCTest
@testable import Imaging

final class ContactSheetTests: XCTestCase {
    private func solid(_ value: UInt16, width: Int = 16, height: Int = 16) -> Image {
        Image(width: width, height: height, channels: 3, fill: value)
    }

    func testGridGeometryAndCellPlacement() {
        let sheet = ContactSheet(columns: 2, cellSize: 16, padding: 2)
        let image = sheet.render([.init(solid(10)), .init(solid(20)), .init(solid(30))])
        XCTAssertEqual([image.width, image.height], [2 + 2 * 18, 2 + 2 * 18])
        XCTAssertEqual(image[2, 2, 0], 10)      // first cell's top-left
        XCTAssertEqual(image[20, 2, 0], 20)     // second column
        XCTAssertEqual(image[2, 20, 0], 30)     // second row
        XCTAssertEqual(image[20, 20, 0], 255)   // empty slot stays white
        XCTAssertEqual(image[0, 0, 0], 255)     // padding
    }

    func testCaptionsAreDrawnUnderTheirCell() {
        let sheet = ContactSheet(columns: 1, cellSize: 32, padding: 0)
        let captioned = sheet.render([.init(solid(255, width: 32, height: 32), caption: "A1")])
        XCTAssertEqual(captioned.height, 32 + BitmapFont.height + 2)
        let darkBelow = (32..<captioned.height).flatMap { y in (0..<32).map { captioned[$0, y, 0] } }.filter { $0 < 100 }
        XCTAssertGreaterThan(darkBelow.count, 10)
        let plain = sheet.render([.init(solid(255, width: 32, height: 32))])
        XCTAssertEqual(plain.height, 32, "no caption line without captions")
    }

    func testNonSquareAnd16BitAndGrayImagesAreFittedAndConverted() {
        let gray16 = Image(width: 40, height: 20, channels: 1, depth: .sixteen, fill: 65535)
        let sheet = ContactSheet(columns: 1, cellSize: 20, padding: 0).render([.init(gray16)])
        XCTAssertEqual(sheet.depth, .eight)
        // 40x20 fits as 20x10, centred vertically: rows 5..<15 are the image.
        XCTAssertEqual(sheet[10, 10, 0], 255)
        XCTAssertEqual(sheet[10, 2, 1], 255)
    }

    func testFontHasGlyphsAndFallsBackForUnknownCharacters() {
        func pixels(_ c: Character) -> [Bool] {
            (0..<8).flatMap { row in (0..<5).map { BitmapFont.isSet(c, column: $0, row: row) } }
        }
        XCTAssertFalse(pixels(" ").contains(true))
        XCTAssertTrue(pixels("A").contains(true))
        XCTAssertNotEqual(pixels("A"), pixels("B"))
        XCTAssertEqual(pixels("é"), pixels("?"))
        XCTAssertFalse(BitmapFont.isSet("A", column: 5, row: 0))
    }

    func testSheetIsWrittenAsPNG() throws {
        let layout = ContactSheet(columns: 3, cellSize: 8, title: "t")
        let cells: [ContactSheet.Cell] = (0..<4).map { .init(solid(UInt16($0 * 60)), caption: "\($0)") }
        let url = TemporaryFolder.url("sheet", extension: "png")
        defer { try? FileManager.default.removeItem(at: url) }
        try layout.write(cells, to: url)
        XCTAssertEqual(ImageFormat(sniffing: try Data(contentsOf: url)), .png)
        XCTAssertEqual(try ImageCodec.read(url), layout.render(cells))
    }
}
