import Foundation
import XCTest
import ZIPGuard

/// ZIPPreflight on archives built byte by byte here: a stored one-entry zip, then the same zip with
/// each 64-bit field ZIPFoundation trusts made impossible.
final class ZIPPreflightTests: XCTestCase {
    private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    private func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8((v >> (8 * UInt64($0))) & 0xFF) } }

    /// One stored entry "a.txt" holding "hello"; `zip64Local` replaces the central directory's local
    /// header offset by 0xFFFFFFFF and puts `zip64Local` in a ZIP64 extra block instead.
    private func archive(zip64Local: UInt64? = nil) -> Data {
        let name = Array("a.txt".utf8), body = Array("hello".utf8)
        var bytes: [UInt8] = []
        bytes += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0)
        bytes += le32(0x3610_A686) + le32(UInt32(body.count)) + le32(UInt32(body.count))
        bytes += le16(UInt16(name.count)) + le16(0) + name + body
        let directory = bytes.count
        let extra: [UInt8] = zip64Local.map { le16(0x0001) + le16(8) + le64($0) } ?? []
        bytes += le32(0x0201_4B50) + le16(45) + le16(zip64Local == nil ? 20 : 45) + le16(0) + le16(0) + le16(0) + le16(0)
        bytes += le32(0x3610_A686) + le32(UInt32(body.count)) + le32(UInt32(body.count))
        bytes += le16(UInt16(name.count)) + le16(UInt16(extra.count)) + le16(0) + le16(0) + le16(0) + le32(0)
        bytes += le32(zip64Local == nil ? 0 : 0xFFFF_FFFF) + name + extra
        let size = bytes.count - directory
        bytes += le32(0x0605_4B50) + le16(0) + le16(0) + le16(1) + le16(1) + le32(UInt32(size)) + le32(UInt32(directory)) + le16(0)
        return Data(bytes)
    }

    func testAnOrdinaryArchivePasses() {
        XCTAssertNil(ZIPPreflight.problem(in: archive()))
    }

    func testAnImpossibleZIP64OffsetIsRefusedWithWhereItIs() throws {
        let problem = try XCTUnwrap(ZIPPreflight.problem(in: archive(zip64Local: 1 << 60)))
        XCTAssertTrue(problem.contains("impossible ZIP64"), problem)
    }

    func testAZIP64OffsetBelowTheLimitIsLeftForZIPFoundation() {
        XCTAssertNil(ZIPPreflight.problem(in: archive(zip64Local: 0)))
    }

    func testBytesThatAreNoArchiveAreLeftForZIPFoundationToReport() {
        XCTAssertNil(ZIPPreflight.problem(in: Data("not a zip at all, just words".utf8)))
        XCTAssertNil(ZIPPreflight.problem(in: Data()))
    }
}
