import Basics
import Foundation
import Imaging
import TestSupport
import XCTest

/// Mask folders as data: the classes file, the masks beside their images, the transforms they share
/// with their images, and the errors that name the file.
final class MaskFolderTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = TemporaryFolder.url("masks")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func testClassesFileParsesIdsNamesAndComments() throws {
        let classes = try SegmentationClasses.parse("# ADE-style\n1 sky\n\n4\twater  # lakes too\n", path: "c.txt")
        XCTAssertEqual(classes.names, [0: "other", 1: "sky", 4: "water"])
        XCTAssertEqual(try SegmentationClasses.parse(classes.text, path: "again"), classes)
    }

    func testMalformedClassesLinesNameTheLine() {
        for (text, line, message) in [("1 sky\nsea\n", 2, "expected 'ID NAME'"), ("300 sky\n", 1, "0...255"),
                                      ("1 sky\n1 sea\n", 2, "class 1 is named twice"), ("1 sky\n2 sky\n", 2, "two classes are named 'sky'")] {
            XCTAssertThrowsError(try SegmentationClasses.parse(text, path: "m/classes.txt")) { error in
                XCTAssertTrue("\(error)".hasPrefix("m/classes.txt:\(line): "), "\(error)")
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
    }

    func testMasksAreFoundByStemInTheSameSubfolder() throws {
        try SegmentationClasses([1: "sky"]).write(to: root)
        let map = LabelMap(width: 3, height: 2, labels: [0, 1, 1, 0, 0, 1])
        try ImageCodec.write(map.image, to: root.appendingPathComponent("sub/a.png"))
        let folder = try MaskFolder(root: root)
        XCTAssertEqual(try folder.mask(for: "sub/a.jpg", width: 3, height: 2), map)
        XCTAssertThrowsError(try folder.mask(for: "sub/b.jpg")) { XCTAssertEqual("\($0)", "sub/b.jpg: no mask; expected \(root.path)/sub/b.png") }
        XCTAssertThrowsError(try folder.mask(for: "sub/a.jpg", width: 4, height: 2)) {
            XCTAssertEqual("\($0)", "\(root.path)/sub/a.png: mask is 3x2 but its image is 4x2")
        }
    }

    func testAColourPNGIsNotAMask() throws {
        try SegmentationClasses([1: "sky"]).write(to: root)
        try ImageCodec.write(Image(width: 2, height: 2, channels: 3, fill: 1), to: root.appendingPathComponent("a.png"))
        XCTAssertThrowsError(try MaskFolder(root: root).mask(for: "a.png")) { XCTAssertTrue("\($0)".contains("3 channel(s)"), "\($0)") }
    }

    func testLabelMapResizeTakesTheNearestIdNeverABlend() {
        let map = LabelMap(width: 4, height: 1, labels: [1, 2, 3, 4])
        XCTAssertEqual(map.resized(width: 2, height: 1).labels, [2, 4])
        XCTAssertEqual(map.resized(width: 8, height: 2).labels, [1, 1, 2, 2, 3, 3, 4, 4, 1, 1, 2, 2, 3, 3, 4, 4])
        XCTAssertEqual(map.flippedHorizontally().labels, [4, 3, 2, 1])
        XCTAssertEqual(map.cropped(x: 1, y: 0, width: 2, height: 1).labels, [2, 3])
    }

    func testTrainingTransformCropsAndFlipsTheMaskWithItsImage() {
        // Red encodes the column, green the row, so every output pixel says where it came from.
        let size = 12
        var image = Image(width: size, height: size, channels: 3, fill: 0)
        var labels = [UInt8](repeating: 0, count: size * size)
        for y in 0..<size { for x in 0..<size {
            image[x, y, 0] = UInt16(x * 20); image[x, y, 1] = UInt16(y * 20)
            labels[y * size + x] = UInt8(x * 16 + y)
        } }
        let mask = LabelMap(width: size, height: size, labels: labels)
        let transform = TrainingTransform(loadSize: size, cropSize: 8, flip: true)
        var flipped = 0
        for seed in 0..<12 {
            var a = SeededGenerator(seed: UInt64(seed)), b = SeededGenerator(seed: UInt64(seed))
            let sample = transform.training(image, mask: mask, using: &a)
            XCTAssertEqual(sample.image, transform.training(image, using: &b), "a mask never changes the image's draws")
            let out = sample.mask!
            for y in 0..<8 { for x in 0..<8 {
                let column = Int(sample.image[x, y, 0]) / 20, row = Int(sample.image[x, y, 1]) / 20
                XCTAssertEqual(Int(out[x, y]), column * 16 + row)
            } }
            if sample.image[0, 0, 0] > sample.image[7, 0, 0] { flipped += 1 }
        }
        XCTAssertGreaterThan(flipped, 0)
    }
}
