import Foundation
import XCTest

/// `train` → `translate` → `compare_images` run as a user would, with losses in the ledger.
final class TrainStageCLITests: XCTestCase {
    var cli: CLIHarness!

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli.cleanUp() }

    func testTrainedGeneratorTranslatesTheTestPaintingsAndIsScoredAgainstTheTruth() throws {
        try cli.write("train.yaml", """
        experiment: train_test
        stages:
          scenes:
            kind: demo_scenes
            params: {train_count: 4, test_count: 2, size: 24, seed: 1, styles: [impressionist]}
          train:
            kind: train
            inputs: {A: scenes.data/impressionist/train, B: scenes.data/photos/train}
            params: {ngf: 4, ndf: 4, n_blocks: 1, n_layers_d: 2, load_size: 20, crop_size: 16, epochs: 1,
                     decay_epochs: 1, epoch_size: 2, lambda_patch: 0, sample_every: 2}
          translated:
            kind: translate
            inputs: {model: train.model, images: scenes.data/impressionist/test}
            params: {ngf: 4, n_blocks: 1}
          scored:
            kind: compare_images
            inputs: {images: translated.images, reference: scenes.data/impressionist/test_truth}
        """)
        let run = try cli.run(["run", "train.yaml"])
        XCTAssertEqual(run.status, 0, run.stderr)
        // Bookkeeping (iterations, image counts) is left out of what a person reads, unless --all.
        let results = try cli.run(["results", "train.yaml"])
        XCTAssertFalse(results.stdout.contains("train.iterations"), results.stdout)
        XCTAssertTrue(results.stdout.contains("train.loss.cycle_A (last)"), "a series says it shows its last value:\n\(results.stdout)")
        XCTAssertTrue(results.stdout.contains("scored.psnr"), results.stdout)
        XCTAssertFalse(results.stdout.contains("translated.images"), results.stdout)
        XCTAssertTrue(results.stdout.contains("bookkeeping metrics hidden: --all shows them"), results.stdout)
        let everything = try cli.run(["results", "train.yaml", "--all"])
        XCTAssertTrue(everything.stdout.contains("train.iterations"), everything.stdout)
        XCTAssertTrue(everything.stdout.contains("translated.images"), everything.stdout)
        let csv = try cli.run(["results", "train.yaml", "--format", "csv"])
        XCTAssertTrue(csv.stdout.contains("train.iterations"), "machine formats keep every metric:\n\(csv.stdout)")
    }
}
