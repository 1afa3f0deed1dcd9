import Foundation
@testable import Stages
import XCTest

/// Which statistics a weights choice accepts: its own label, and `official` with `tf-inception` only
/// when the import proved the two files' tensors equal.
final class InceptionWeightsChoiceTests: XCTestCase {
    let official = InceptionWeightsChoice.official(URL(fileURLWithPath: "/w/pt.pth"))
    let tf = InceptionWeightsChoice.tfInception(URL(fileURLWithPath: "/w/tf.safetensors"))

    func testOfficialAndTFInceptionAcceptEachOtherOnlyWithTheProof() {
        XCTAssertTrue(official.accepts(statisticsLabel: tf.label, tfInceptionIsOfficial: true))
        XCTAssertTrue(tf.accepts(statisticsLabel: official.label, tfInceptionIsOfficial: true))
        XCTAssertFalse(official.accepts(statisticsLabel: tf.label, tfInceptionIsOfficial: false))
        XCTAssertFalse(tf.accepts(statisticsLabel: official.label, tfInceptionIsOfficial: false))
    }

    func testEveryOtherPairStillRefusesAndEqualLabelsNeedNoProof() {
        let others: [InceptionWeightsChoice] = [.random(seed: 0), .file(URL(fileURLWithPath: "/w/mine.pth"))]
        for choice in others {
            for other in [official, tf] {
                XCTAssertFalse(choice.accepts(statisticsLabel: other.label, tfInceptionIsOfficial: true), "\(choice) \(other)")
                XCTAssertFalse(other.accepts(statisticsLabel: choice.label, tfInceptionIsOfficial: true), "\(other) \(choice)")
            }
        }
        for choice in others + [official, tf] {
            XCTAssertTrue(choice.accepts(statisticsLabel: choice.label, tfInceptionIsOfficial: false))
        }
        XCTAssertFalse(InceptionWeightsChoice.random(seed: 1).accepts(statisticsLabel: InceptionWeightsChoice.random(seed: 2).label))
    }
}
