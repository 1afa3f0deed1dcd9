import Basics
import Foundation
import Imaging
import NN
import Pipeline
import Stages
import Tensor
import XCTest
import CycleGAN

/// `translate`: any image size in, the same names and sizes out, and the generator's own output.
final class TranslateStageTests: XCTestCase {
    /// A folder with two images whose sides are not multiples of 4, one of them a JPEG.
    private func oddSizedImages(in runner: StageHarness) throws -> URL {
        let folder = runner.url("paintings")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        var rng = SeededGenerator(seed: 5)
        for (name, w, h) in [("a.png", 30, 22), ("sub/b.jpg", 17, 41)] {
            let image = Image(width: w, height: h, channels: 3, bytes: (0..<(w * h * 3)).map { _ in UInt8(rng.below(256)) })
            try ImageCodec.write(image, to: folder.appendingPathComponent(name))
        }
        return folder
    }

    private func writeModel(to folder: URL, ngf: Int, blocks: Int) throws -> CycleGAN {
        var o = CycleGANOptions()
        o.ngf = ngf; o.ndf = 4; o.blocks = blocks; o.seed = 9
        let model = CycleGAN(options: o)
        try model.save(to: folder)
        return model
    }

    func testResizeTranslatesEveryImageAtTheSquareSizeWithTheFilterGiven() throws {
        // The authors' test recipe: every image resized to 256² bicubic first (here 20²).
        let runner = try StageHarness("translate-resize")
        let paintings = try oddSizedImages(in: runner)
        let model = try writeModel(to: runner.url("model"), ngf: 4, blocks: 1)
        _ = try runner.run(TranslateStage(), params: ["ngf": .int(4), "n_blocks": .int(1), "resize": .int(20), "resize_filter": .string("bicubic")],
                           inputs: ["model": runner.url("model"), "images": paintings], outputs: ["images": runner.url("out")])
        let input = try ImageCodec.read(paintings.appendingPathComponent("a.png")).resized(width: 20, height: 20, filter: .bicubic)
        let expected = model.generatorA.translate(Tensor(shape: [1, 3, 20, 20], values: input.planarFloats()))
        XCTAssertEqual(try ImageCodec.read(runner.url("out/a.png")), Image(planarFloats: expected.scalars, width: 20, height: 20, channels: 3))
        let b = try ImageCodec.read(runner.url("out/sub/b.png"))
        XCTAssertEqual([b.width, b.height], [20, 20])
    }

    func testImagesOfAnySizeComeBackWithTheirNamesAndSizes() throws {
        let runner = try StageHarness("translate-sizes")
        let paintings = try oddSizedImages(in: runner)
        let model = try writeModel(to: runner.url("model"), ngf: 4, blocks: 1)
        let result = try runner.run(TranslateStage(), params: ["ngf": .int(4), "n_blocks": .int(1)],
                                    inputs: ["model": runner.url("model"), "images": paintings],
                                    outputs: ["images": runner.url("out")])
        XCTAssertEqual(result.value("images"), 2)
        let out = try ImageFolder(root: runner.url("out"))
        XCTAssertEqual(out.relativePaths, ["a.png", "sub/b.png"])
        let a = try ImageCodec.read(runner.url("out/a.png")), b = try ImageCodec.read(runner.url("out/sub/b.png"))
        XCTAssertEqual([a.width, a.height, b.width, b.height], [30, 22, 17, 41])
        // The written pixels are G_A's output on the padded image, cropped back and quantised.
        let input = try ImageCodec.read(paintings.appendingPathComponent("a.png"))
        let expected = model.generatorA.translate(Tensor(shape: [1, 3, 22, 30], values: input.planarFloats()))
        XCTAssertEqual(a, Image(planarFloats: expected.scalars, width: 30, height: 22, channels: 3))
    }

    func testBtoAUsesTheSecondGenerator() throws {
        let runner = try StageHarness("translate-direction")
        let paintings = try oddSizedImages(in: runner)
        let model = try writeModel(to: runner.url("model"), ngf: 4, blocks: 1)
        _ = try runner.run(TranslateStage(), params: ["ngf": .int(4), "n_blocks": .int(1), "direction": .string("BtoA")],
                           inputs: ["model": runner.url("model"), "images": paintings], outputs: ["images": runner.url("out")])
        let input = try ImageCodec.read(paintings.appendingPathComponent("a.png"))
        let expected = model.generatorB.translate(Tensor(shape: [1, 3, 22, 30], values: input.planarFloats()))
        XCTAssertEqual(try ImageCodec.read(runner.url("out/a.png")),
                       Image(planarFloats: expected.scalars, width: 30, height: 22, channels: 3))
    }

    func testAModelOfAnotherArchitectureFailsNamingTheSizes() throws {
        let runner = try StageHarness("translate-mismatch")
        let paintings = try oddSizedImages(in: runner)
        _ = try writeModel(to: runner.url("model"), ngf: 4, blocks: 1)
        XCTAssertThrowsError(try runner.run(TranslateStage(), params: ["ngf": .int(8), "n_blocks": .int(1)],
                                            inputs: ["model": runner.url("model"), "images": paintings],
                                            outputs: ["images": runner.url("out")])) { error in
            XCTAssertTrue("\(error)".contains("G_A.safetensors") && "\(error)".contains("ngf 8"), "\(error)")
        }
    }
}

/// `export_model` writes junyanz checkpoints, and `translate` reads them back with the sizes taken
/// from the weights: the same pixels as from PleinAir's own folder.
final class ExportedModelTranslationTests: XCTestCase {
    func testAnExportedModelTranslatesAsTheOriginalWithoutNamingItsSizes() throws {
        let runner = try StageHarness("export-translate")
        let paintings = runner.url("paintings")
        try FileManager.default.createDirectory(at: paintings, withIntermediateDirectories: true)
        var rng = SeededGenerator(seed: 8)
        try ImageCodec.write(Image(width: 24, height: 20, channels: 3, bytes: (0..<(24 * 20 * 3)).map { _ in UInt8(rng.below(256)) }),
                             to: paintings.appendingPathComponent("p.png"))
        var o = CycleGANOptions()
        o.ngf = 4; o.ndf = 4; o.blocks = 2; o.seed = 4
        try CycleGAN(options: o).save(to: runner.url("model"))
        let exported = try runner.run(ExportModelStage(), params: [:], inputs: ["model": runner.url("model")],
                                      outputs: ["checkpoints": runner.url("checkpoints")])
        XCTAssertEqual(exported.value("networks"), 4)
        XCTAssertTrue(FileManager.default.fileExists(atPath: runner.url("checkpoints/latest_net_G_B.pth").path))
        for direction in ["AtoB", "BtoA"] {
            _ = try runner.run(TranslateStage(), params: ["direction": .string(direction)],
                               inputs: ["model": runner.url("model"), "images": paintings], outputs: ["images": runner.url("own-\(direction)")])
            _ = try runner.run(TranslateStage(), params: ["direction": .string(direction)],
                               inputs: ["model": runner.url("checkpoints"), "images": paintings],
                               outputs: ["images": runner.url("pth-\(direction)")])
            XCTAssertEqual(try ImageCodec.read(runner.url("own-\(direction)/p.png")), try ImageCodec.read(runner.url("pth-\(direction)/p.png")))
        }
    }

    func testAnExplicitSizeThatDisagreesWithTheCheckpointFailsNamingBoth() throws {
        let runner = try StageHarness("export-mismatch")
        var o = CycleGANOptions()
        o.ngf = 4; o.ndf = 4; o.blocks = 1; o.seed = 4
        try CycleGAN(options: o).save(to: runner.url("model"))
        _ = try runner.run(ExportModelStage(), params: [:], inputs: ["model": runner.url("model")],
                           outputs: ["checkpoints": runner.url("checkpoints")])
        try FileManager.default.createDirectory(at: runner.url("paintings"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try runner.run(TranslateStage(), params: ["n_blocks": .int(9)],
                                            inputs: ["model": runner.url("checkpoints"), "images": runner.url("paintings")],
                                            outputs: ["images": runner.url("out")])) { error in
            XCTAssertTrue("\(error)".contains("latest_net_G_A.pth") && "\(error)".contains("n_blocks 9"), "\(error)")
        }
    }
}
