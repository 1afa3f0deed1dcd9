import Foundation
import NN
import XCTest

/// Headers are the file's claims: a lie about sizes fails cleanly, before anything is allocated.
final class SafeTensorsHostileHeaderTests: XCTestCase {
    func file(_ header: String, payload: Int = 0) -> Data {
        var data = Data()
        var length = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        data.append(Data(count: payload))
        return data
    }

    func assertRefused(_ data: Data, _ fragment: String, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensors.decode(data, path: "hostile.safetensors"), line: line) {
            XCTAssertTrue("\($0)".contains("hostile.safetensors"), "\($0)", line: line)
            XCTAssertTrue("\($0)".contains(fragment), "\($0)", line: line)
        }
    }

    func testEntryClaimingATerabyteInATinyFileIsRefused() {
        assertRefused(file(#"{"w":{"dtype":"F32","shape":[262144,1048576],"data_offsets":[0,1099511627776]}}"#, payload: 16),
                      "do not fit")
    }

    func testHeaderLengthClaimingATerabyteIsRefused() {
        var data = file("{}")
        data.replaceSubrange(0..<8, with: [0, 0, 0, 0, 0, 1, 0, 0])  // 2^40
        assertRefused(data, "exceeds the file")
    }

    /// Found while adding the fuzz target: an overflowing shape product and a negative extent
    /// trapped the old size check; the third is the same check's offset arithmetic.
    func testOverflowingShapesAndOffsetsAreRefused() {
        assertRefused(file(#"{"w":{"dtype":"F64","shape":[4611686018427387904,4],"data_offsets":[0,0]}}"#), "do not fit")
        assertRefused(file(#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[4,0]}}"#, payload: 4), "do not fit")
        assertRefused(file(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,9223372036854775807]}}"#, payload: 4), "do not fit")
    }
}
