import Foundation
import Pipeline
import XCTest

final class StyleTransferStageTests: XCTestCase {
    func testStyleTransferOnDemoScenesLowersItsLossAndWritesAPNGPerPainting() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        try cli.write("exp.yaml", """
        experiment: styled
        stages:
          scenes:
            kind: demo_scenes
            params: {train_count: 4, test_count: 2, size: 32, styles: [impressionist]}
          baseline:
            kind: style_transfer
            inputs: {images: scenes.data/impressionist/test, style: scenes.data/photos/train}
            params: {weights: random, steps: 6, style_images: 4}
          truth:
            kind: compare_images
            inputs: {images: baseline.images, reference: scenes.data/impressionist/test_truth}
        """)
        let run = try cli.run(["run", "exp.yaml"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let ledger = try Ledger(path: cli.workspace.appendingPathComponent("artifacts/ledger.sqlite").path)
        let fingerprint = try XCTUnwrap(ledger.lastExecution(experiment: "styled", stage: "baseline")).fingerprint
        let losses = try ledger.metrics(fingerprint: fingerprint).filter { $0.name == "loss_random_weights" }.map(\.value)
        XCTAssertEqual(losses.count, 6)
        for (a, b) in zip(losses, losses.dropFirst()) { XCTAssertLessThanOrEqual(b, a, "the recorded loss falls step by step") }
        let output = cli.workspace.appendingPathComponent("artifacts/views/styled/baseline/images")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output.path).sorted(), ["00000.png", "00001.png"])
        let results = try cli.run(["results", "exp.yaml", "--format", "csv"]).stdout
        XCTAssertTrue(results.contains("baseline.random_weights,1"), results)
        XCTAssertTrue(results.contains("truth.psnr,"), results)
    }

    func testWithoutWeightsTheStageSaysWhereToGetThem() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        try cli.write("exp.yaml", """
        experiment: unweighted
        stages:
          scenes:
            kind: demo_scenes
            params: {train_count: 2, test_count: 1, size: 32, styles: [woodblock]}
          baseline:
            kind: style_transfer
            inputs: {images: scenes.data/woodblock/test, style: scenes.data/photos/train}
            params: {weights: /nonexistent/vgg19.pth}
        """)
        let run = try cli.run(["run", "exp.yaml"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("VGG-19 weights not found at /nonexistent/vgg19.pth"), run.stderr)
        XCTAssertTrue(run.stderr.contains("pleinair weights fetch vgg19"), run.stderr)
    }
}
