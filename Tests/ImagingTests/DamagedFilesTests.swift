import Basics
import Foundation
import TestSupport
import XCTest
@testable import Imaging

/// A corpus of damaged files, built from valid ones at test time: every one must give a typed
/// error naming the file, and none may crash the process.
final class DamagedFilesTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = TemporaryFolder.url("damaged")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private var validPNG: Data {
        var rng = SeededGenerator(seed: 3)
        let image = Image(width: 24, height: 16, channels: 3, samples: (0..<(24 * 16 * 3)).map { _ in UInt16(rng.below(256)) })
        return try! PNGCodec.encode(image)
    }

    private var validJPEG: Data {
        var rng = SeededGenerator(seed: 4)
        let image = Image(width: 32, height: 24, channels: 3, samples: (0..<(32 * 24 * 3)).map { _ in UInt16(rng.below(256)) })
        return try! JPEGCodec.encode(image, quality: 90)
    }

    /// Standard CRC-32 (PNG chunks), so patched headers can carry a valid checksum.
    private func crc32(_ bytes: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// The valid PNG with IHDR's width and height replaced (and its CRC fixed).
    private func pngWithDimensions(_ width: UInt32, _ height: UInt32) -> Data {
        var data = validPNG
        let be = { (v: UInt32) in [UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
        data.replaceSubrange(16..<24, with: be(width) + be(height))
        data.replaceSubrange(29..<33, with: be(crc32(data[12..<29])))
        return data
    }

    /// Offset of the first chunk of `type` in a PNG.
    private func chunkOffset(_ data: Data, _ type: String) -> Int {
        var offset = 8
        while offset + 8 <= data.count {
            let length = data[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            if String(decoding: data[(offset + 4)..<(offset + 8)], as: UTF8.self) == type { return offset }
            offset += 12 + length
        }
        fatalError("no \(type) chunk")
    }

    private func write(_ name: String, _ data: Data) -> URL {
        let url = dir.appendingPathComponent(name)
        try! data.write(to: url)
        return url
    }

    private func assertFails(_ name: String, _ data: Data, file: StaticString = #filePath, line: UInt = #line,
                             _ check: (ImageError.Kind) -> Bool) {
        let url = write(name, data)
        XCTAssertThrowsError(try ImageCodec.read(url), name, file: file, line: line) { error in
            guard let error = error as? ImageError else { return XCTFail("untyped error \(error)", file: file, line: line) }
            XCTAssertEqual(error.path, url.path, file: file, line: line)
            XCTAssertTrue(error.description.contains(name), error.description, file: file, line: line)
            XCTAssertTrue(check(error.kind), "\(name): unexpected \(error.kind)", file: file, line: line)
        }
    }

    private func isCorrupt(_ kind: ImageError.Kind) -> Bool {
        if case .corrupt = kind { return true }
        return false
    }

    func testEmptyFilesAreReportedAsEmpty() {
        assertFails("empty.png", Data()) { $0 == .empty }
        assertFails("empty.jpg", Data()) { $0 == .empty }
    }

    func testUnknownSignaturesAreRejected() {
        assertFails("gif.png", Data("GIF89a\u{1}\u{0}\u{1}\u{0}".utf8)) { $0 == .unknownFormat }
        assertFails("text.jpg", Data("hello, not an image".utf8)) { $0 == .unknownFormat }
        assertFails("one-byte.png", Data([0x89])) { $0 == .unknownFormat }
    }

    func testContentThatContradictsTheExtensionIsRejected() {
        assertFails("actually-png.jpg", validPNG) { $0 == .formatMismatch(expected: .jpeg, found: .png) }
        assertFails("actually-jpeg.png", validJPEG) { $0 == .formatMismatch(expected: .png, found: .jpeg) }
    }

    func testTruncatedPNGsAreCorrupt() {
        let png = validPNG
        for keep in [8, 20, 33, 50, png.count / 2, png.count - 13] {
            assertFails("truncated-\(keep).png", png.prefix(keep), isCorrupt)
        }
    }

    func testBadChunkChecksumsAreCorrupt() {
        var header = validPNG
        header[29] ^= 0xFF
        assertFails("bad-ihdr-crc.png", header, isCorrupt)
        var body = validPNG
        let idat = chunkOffset(body, "IDAT")
        let length = body[idat..<(idat + 4)].reduce(0) { $0 << 8 | Int($1) }
        body[idat + 8 + length] ^= 0x55
        assertFails("bad-idat-crc.png", body, isCorrupt)
    }

    func testGarbageCompressedDataIsCorrupt() {
        var data = validPNG
        let idat = chunkOffset(data, "IDAT")
        let length = data[idat..<(idat + 4)].reduce(0) { $0 << 8 | Int($1) }
        for k in 0..<min(length, 40) { data[idat + 8 + k] = UInt8(truncatingIfNeeded: k &* 37 &+ 11) }
        data.replaceSubrange((idat + 8 + length)..<(idat + 12 + length),
                             with: withUnsafeBytes(of: crc32(data[(idat + 4)..<(idat + 8 + length)]).bigEndian, Array.init))
        assertFails("garbage-idat.png", data, isCorrupt)
    }

    func testAbsurdDimensionsAreRejectedBeforeAllocating() {
        assertFails("huge.png", pngWithDimensions(60_000, 60_000)) { $0 == .tooLarge(width: 60_000, height: 60_000) }
        assertFails("beyond-png-limit.png", pngWithDimensions(0x7FFF_FFFF, 1), isCorrupt)
        assertFails("zero-width.png", pngWithDimensions(0, 16), isCorrupt)

        var jpeg = validJPEG
        let sof = (0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 }!
        jpeg.replaceSubrange((sof + 5)..<(sof + 9), with: [0xFD, 0xE8, 0xFD, 0xE8])  // height, width = 65000
        assertFails("huge.jpg", jpeg) { $0 == .tooLarge(width: 65000, height: 65000) }
    }

    /// A small file claiming a big image (found while fuzzing the image decoders: a 69-byte PNG
    /// claiming 16384² 16-bit RGBA made the decoder allocate and clear 2 GB before failing).
    func testDimensionsTheFileCannotHoldAreRejectedBeforeAllocating() {
        assertFails("claims-16384.png", pngWithDimensions(16384, 16384)) {
            guard case .corrupt(let message) = $0 else { return false }
            return message.contains("more than") && message.contains("bytes of PNG can hold")
        }
        var jpeg = validJPEG
        let sof = (0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 }!
        jpeg.replaceSubrange((sof + 5)..<(sof + 9), with: [0x1F, 0x40, 0x1F, 0x40])  // height, width = 8000
        assertFails("claims-8000.jpg", jpeg) {
            guard case .corrupt(let message) = $0 else { return false }
            return message.contains("bytes of JPEG can hold")
        }
    }

    func testTruncatedAndGarbledJPEGsAreCorrupt() {
        let jpeg = validJPEG
        for keep in [3, 20, jpeg.count / 3, jpeg.count - 2] {
            assertFails("truncated-\(keep).jpg", jpeg.prefix(keep), isCorrupt)
        }
        var garbled = jpeg
        for k in 3..<40 { garbled[k] = 0x00 }
        assertFails("garbled-header.jpg", garbled, isCorrupt)
    }

    func testMissingFilesAndDirectoriesAreIOErrors() {
        for url in [dir.appendingPathComponent("nope.png"), dir!] {
            XCTAssertThrowsError(try ImageCodec.read(url)) { error in
                guard case .io = (error as? ImageError)?.kind else { return XCTFail("\(error)") }
            }
        }
    }

    func testEncodingRefusesWhatJPEGCannotHold() {
        let rgba = Image(width: 2, height: 2, channels: 4)
        XCTAssertThrowsError(try JPEGCodec.encode(rgba)) { error in
            guard case .unsupported = (error as? ImageError)?.kind else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try JPEGCodec.encode(Image(width: 2, height: 2, channels: 3, depth: .sixteen)))
    }
}
