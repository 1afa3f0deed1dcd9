import Foundation
import Imaging
import TestSupport
import XCTest
import ZIPFoundation

/// Dataset archives come from elsewhere: nothing in one may land outside the destination.
/// (`..` entries: DatasetDownloaderTests.testUnsafeArchivePathsAreRefused.)
final class ArchiveExtractorTests: XCTestCase {
    private var work: URL!
    private let fm = FileManager.default

    override func setUpWithError() throws {
        work = TemporaryFolder.url("extract")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDown() { try? fm.removeItem(at: work) }

    func archive(_ path: String, type: Entry.EntryType) throws -> URL {
        let url = work.appendingPathComponent("a-\(UUID().uuidString).zip")
        let zip = try Archive(url: url, accessMode: .create)
        let payload = Data("target".utf8)
        try zip.addEntry(with: path, type: type, uncompressedSize: Int64(payload.count)) { (_: Int64, _: Int) in payload }
        return url
    }

    func assertRefused(_ url: URL, saying fragment: String, line: UInt = #line) {
        XCTAssertThrowsError(try ArchiveExtractor.extract(url, to: work.appendingPathComponent("out")), line: line) {
            guard case let .extractionFailed(path, message) = $0 as? DatasetError else { return XCTFail("\($0)", line: line) }
            XCTAssertEqual(path, url.path, line: line)
            XCTAssertTrue(message.contains(fragment), message, line: line)
        }
    }

    func testAbsoluteEntryPathIsRefused() throws {
        assertRefused(try archive("/tmp/pleinair-escape-\(UUID().uuidString).txt", type: .file), saying: "unsafe entry path")
    }

    func testSymlinkEntryIsRefused() throws {
        assertRefused(try archive("photos/link", type: .symlink), saying: "symlink entry 'photos/link' refused")
        XCTAssertFalse(fm.fileExists(atPath: work.appendingPathComponent("out/photos/link").path))
    }

    /// Found by pleinair-fuzz (pickle target; ArchiveExtractor reads zips the same way): a ZIP64 end
    /// record placing the central directory at 2^63 trapped inside ZIPFoundation.
    func testHostileZIP64EndRecordIsRefused() throws {
        let url = work.appendingPathComponent("zip64.zip")
        // Four bytes of padding, then a ZIP64 end record, its locator and the classic end record.
        var bytes = [UInt8](repeating: 0, count: 4 + 56 + 20 + 22)
        func put(_ value: UInt64, at offset: Int, width: Int) {
            for i in 0..<width { bytes[4 + offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        }
        put(0x0606_4B50, at: 0, width: 4); put(44, at: 4, width: 8); put(45, at: 12, width: 2); put(45, at: 14, width: 2)
        put(1, at: 24, width: 8); put(1, at: 32, width: 8); put(46, at: 40, width: 8); put(1 << 63, at: 48, width: 8)
        put(0x0706_4B50, at: 56, width: 4); put(0, at: 64, width: 8); put(1, at: 72, width: 4)
        put(0x0605_4B50, at: 76, width: 4); put(0xFFFF, at: 86, width: 2); put(0xFFFF_FFFF, at: 92, width: 4)
        try Data(bytes).write(to: url)
        assertRefused(url, saying: "impossible size, offset or count")
    }
}
