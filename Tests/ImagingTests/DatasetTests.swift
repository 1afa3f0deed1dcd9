import Foundation
import TestSupport
import XCTest
@testable import Imaging

final class DatasetTests: XCTestCase {
    private var root: URL!
    private let fm = FileManager.default

    override func setUpWithError() throws {
        root = TemporaryFolder.url("dataset")
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? fm.removeItem(at: root)
    }

    private func put(_ relative: String, seed: UInt64 = 1, in dir: URL? = nil) throws {
        let url = (dir ?? root).appendingPathComponent(relative)
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ImageCodec.write(DemoScenes.photo(seed: seed, size: 12), to: url)
    }

    func testListsImagesRecursivelyInByteOrderIgnoringHiddenAndOtherFiles() throws {
        for path in ["b.png", "a/z.jpg", "a/b.PNG", "B.jpeg", "a/.hidden.png", ".git/x.png", "c/d/e.png"] {
            try put(path)
        }
        try Data("notes".utf8).write(to: root.appendingPathComponent("readme.txt"))
        let folder = try ImageFolder(root: root)
        XCTAssertEqual(folder.relativePaths, ["B.jpeg", "a/b.PNG", "a/z.jpg", "b.png", "c/d/e.png"])
        XCTAssertEqual(folder.files.first?.lastPathComponent, "B.jpeg")
    }

    func testSymlinkedFilesAreIncludedAndHashedByContent() throws {
        let elsewhere = root.appendingPathComponent("elsewhere")
        try put("real.png", seed: 6, in: elsewhere)
        let folder = root.appendingPathComponent("set")
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        try fm.createSymbolicLink(at: folder.appendingPathComponent("linked.png"), withDestinationURL: elsewhere.appendingPathComponent("real.png"))
        let listed = try ImageFolder(root: folder)
        XCTAssertEqual(listed.relativePaths, ["linked.png"])
        XCTAssertEqual(try listed.image(at: 0), DemoScenes.photo(seed: 6, size: 12))
    }

    func testMissingEmptyAndFileRootsAreTypedErrors() throws {
        XCTAssertThrowsError(try ImageFolder(root: root.appendingPathComponent("nope"))) {
            XCTAssertEqual($0 as? DatasetError, .notFound(path: root.appendingPathComponent("nope").path))
        }
        XCTAssertThrowsError(try ImageFolder(root: root)) { XCTAssertEqual($0 as? DatasetError, .noImages(path: root.path)) }
        try put("only.png")
        XCTAssertThrowsError(try ImageFolder(root: root.appendingPathComponent("only.png"))) {
            guard case .notADirectory = $0 as? DatasetError else { return XCTFail("\($0)") }
        }
    }

    func testContentHashIsStableAndTracksContentAndNames() throws {
        try put("x/1.png", seed: 1)
        try put("x/2.png", seed: 2)
        let first = try ImageFolder(root: root).contentHash()
        XCTAssertEqual(first.count, 64)
        XCTAssertEqual(try ImageFolder(root: root).contentHash(), first)
        // Touching timestamps changes nothing.
        try fm.setAttributes([.modificationDate: Date(timeIntervalSince1970: 0)],
                             ofItemAtPath: root.appendingPathComponent("x/1.png").path)
        XCTAssertEqual(try ImageFolder(root: root).contentHash(), first)
        try fm.moveItem(at: root.appendingPathComponent("x/2.png"), to: root.appendingPathComponent("x/3.png"))
        let renamed = try ImageFolder(root: root).contentHash()
        XCTAssertNotEqual(renamed, first)
        try put("x/3.png", seed: 9)
        XCTAssertNotEqual(try ImageFolder(root: root).contentHash(), renamed)
    }

    func testSameFilesInAnotherPlaceHashTheSame() throws {
        let other = root.appendingPathComponent("copy")
        try put("p/1.png", seed: 4)
        try put("1.png", seed: 4, in: other)
        XCTAssertEqual(try ImageFolder(root: root.appendingPathComponent("p")).contentHash(),
                       try ImageFolder(root: other).contentHash())
    }

    func testBadImagesFailOrAreSkippedAndReported() throws {
        try put("0.png")
        try Data([0x89, 0x50, 0x4E, 0x47]).write(to: root.appendingPathComponent("1.png"))
        try put("2.png", seed: 3)
        let folder = try ImageFolder(root: root)
        XCTAssertThrowsError(try folder.loadAll(policy: .fail)) { error in
            XCTAssertTrue((error as? ImageError)?.path?.hasSuffix("1.png") == true, "\(error)")
        }
        let loaded = try folder.loadAll(policy: .skip)
        XCTAssertEqual(loaded.images.map(\.relativePath), ["0.png", "2.png"])
        XCTAssertEqual(loaded.skipped.map(\.relativePath), ["1.png"])
        XCTAssertEqual(loaded.images[1].image, DemoScenes.photo(seed: 3, size: 12))
    }

    func testCycleGANLayoutOpensAllFourSplits() throws {
        for split in CycleGANDataset.splits {
            try put("\(split)/0.jpg", seed: UInt64(split.count))
            try put("\(split)/1.jpg")
        }
        let dataset = try CycleGANDataset(root: root)
        XCTAssertEqual(dataset.trainA.count, 2)
        XCTAssertEqual(dataset.split("testB")?.relativePaths, ["0.jpg", "1.jpg"])
        XCTAssertNil(dataset.split("valA"))
        let hash = try dataset.contentHash()
        try put("testB/2.jpg")
        XCTAssertNotEqual(try CycleGANDataset(root: root).contentHash(), hash)
    }

    func testCycleGANLayoutNamesTheMissingSplit() throws {
        try put("trainA/0.png")
        try put("trainB/0.png")
        try put("testA/0.png")
        XCTAssertThrowsError(try CycleGANDataset(root: root)) {
            XCTAssertEqual($0 as? DatasetError, .missingSplit(root: root.path, split: "testB"))
            XCTAssertTrue("\($0)".contains("testB"))
        }
    }

    func testDemoDatasetStylesAreImageFolders() throws {
        try DemoScenes.write(DemoSceneOptions(trainCount: 2, testCount: 1, size: 16, styles: [.expressive]), to: root)
        XCTAssertEqual(try ImageFolder(root: root.appendingPathComponent("expressive/train")).count, 2)
        XCTAssertEqual(try ImageFolder(root: root.appendingPathComponent("photos/train")).count, 2)
        // The masks lie beside the image folders, never inside them.
        XCTAssertEqual(try ImageFolder(root: root.appendingPathComponent("photos/train_masks")).count, 2)
    }
}
