import Foundation
import NN
import Tensor
@testable import CycleGAN
import TestSupport
import XCTest

/// Generators saved by torch.save in junyanz's layout load and translate as PyTorch's forward does
/// (fixtures: scripts/reference/junyanz_checkpoints.py fixture).
final class JunyanzCheckpointTests: XCTestCase {
    private func fixture(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/junyanz"), name)
    }

    private var probe: [String: Tensor] { get throws { try SafeTensors.read(contentsOf: try fixture("probe.safetensors")) } }

    /// Largest per-pixel difference on the 0…255 scale between ours and PyTorch's output.
    private func worstPixelError(_ file: String, expected: String = "G_A") throws -> Float {
        let loaded = try GeneratorCheckpoint.load(try fixture(file))
        let p = try probe
        let ours = loaded.generator.translate(try XCTUnwrap(p["input"]))
        let theirs = try XCTUnwrap(p[expected])
        XCTAssertEqual(ours.shape, theirs.shape)
        return zip(ours.scalars, theirs.scalars).map { abs($0 - $1) * 127.5 }.max()!
    }

    func testZipCheckpointTranslatesAsPyTorch() throws {
        XCTAssertLessThan(try worstPixelError("G_A_zip.pth"), 1)
    }

    func testLegacyCheckpointTranslatesAsPyTorch() throws {
        XCTAssertLessThan(try worstPixelError("G_A_legacy.pth"), 1)
    }

    func testInstanceNormStatisticsAndModulePrefixAreHandledAsJunyanzDoes() throws {
        for file in ["G_A_old_zip.pth", "G_A_old_legacy.pth"] {
            XCTAssertLessThan(try worstPixelError(file), 1, file)
            let loaded = try GeneratorCheckpoint.load(try fixture(file))
            XCTAssertTrue(loaded.strippedModulePrefix, file)
            // Seven InstanceNorm layers at ngf 4 with one block: model.2, .5, .8, two in the block, .12, .15.
            XCTAssertEqual(Set(loaded.droppedKeys.map { $0.components(separatedBy: ".").dropLast().joined(separator: ".") }),
                           ["model.2", "model.5", "model.8", "model.10.conv_block.2", "model.10.conv_block.6", "model.12", "model.15"],
                           file)
            XCTAssertEqual(loaded.droppedKeys.count, file.contains("zip") ? 21 : 14, file)
        }
    }

    func testDropoutKeyLayoutLoadsAndTranslatesAsTheEvaluatedNetwork() throws {
        XCTAssertLessThan(try worstPixelError("G_A_dropout_zip.pth"), 1)
        XCTAssertTrue(try GeneratorCheckpoint.load(try fixture("G_A_dropout_zip.pth")).architecture.dropout)
    }

    func testArchitectureIsReadFromTheShapes() throws {
        let loaded = try GeneratorCheckpoint.load(try fixture("G_A_zip.pth"))
        XCTAssertEqual(loaded.architecture, GeneratorArchitecture(ngf: 4, blocks: 1))
    }

    func testAnExplicitArchitectureThatDiffersFailsNamingBoth() throws {
        XCTAssertThrowsError(try GeneratorCheckpoint.load(try fixture("G_A_zip.pth"), ngf: 64, blocks: 9)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("G_A_zip.pth") && text.contains("ngf 4, 1 blocks") && text.contains("ngf 64")
                          && text.contains("n_blocks 9"), text)
        }
    }

    func testAMissingKeyFailsNamingIt() throws {
        XCTAssertThrowsError(try GeneratorCheckpoint.load(try fixture("bad_missing.pth"))) { error in
            XCTAssertTrue("\(error)".contains("missing 'model.10.conv_block.1.bias'") && "\(error)".contains("bad_missing.pth"), "\(error)")
        }
    }

    func testAMisshapenKeyFailsNamingIt() throws {
        XCTAssertThrowsError(try GeneratorCheckpoint.load(try fixture("bad_misshapen.pth"))) { error in
            XCTAssertTrue("\(error)".contains("'model.4.weight' is [8, 4, 5, 5], expected [8, 4, 3, 3]"), "\(error)")
        }
    }

    func testRunningStatisticsOutsideInstanceNormAreReportedNotDropped() throws {
        XCTAssertThrowsError(try GeneratorCheckpoint.load(try fixture("bad_unexpected.pth"))) { error in
            XCTAssertTrue("\(error)".contains("unexpected 'model.1.running_mean'"), "\(error)")
        }
    }

    // MARK: finding the file in a model folder

    private func folder(_ files: [String: String]) throws -> URL {
        let root = TemporaryFolder.url("locate")
        for (target, source) in files {
            let url = root.appendingPathComponent(target)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: try fixture(source), to: url)
        }
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        return root
    }

    func testJunyanzFolderGivesEachDirectionItsGenerator() throws {
        let root = try folder(["latest_net_G_A.pth": "G_A_zip.pth", "latest_net_G_B.pth": "G_B_zip.pth"])
        let a = try GeneratorWeightsLocator.locate(in: root, direction: .aToB)
        let b = try GeneratorWeightsLocator.locate(in: root, direction: .bToA)
        XCTAssertEqual(a.file.lastPathComponent, "latest_net_G_A.pth")
        XCTAssertEqual(b.file.lastPathComponent, "latest_net_G_B.pth")
        let p = try probe
        let out = try GeneratorCheckpoint.load(b.file).generator.translate(try XCTUnwrap(p["input"]))
        XCTAssertLessThan(zip(out.scalars, try XCTUnwrap(p["G_B"]).scalars).map { abs($0 - $1) }.max()!, 1 / 127.5)
    }

    func testWithoutLatestTheHighestEpochIsTakenAndAnEpochCanBeNamed() throws {
        let root = try folder(["5_net_G_A.pth": "G_B_zip.pth", "15_net_G_A.pth": "G_A_zip.pth"])
        XCTAssertEqual(try GeneratorWeightsLocator.locate(in: root, direction: .aToB).file.lastPathComponent, "15_net_G_A.pth")
        XCTAssertEqual(try GeneratorWeightsLocator.locate(in: root, direction: .aToB, epoch: "5").file.lastPathComponent, "5_net_G_A.pth")
    }

    func testZooFolderAndArt2RealSubfolderAreFound() throws {
        let zoo = try folder(["latest_net_G.pth": "G_A_legacy.pth"])
        XCTAssertEqual(try GeneratorWeightsLocator.locate(in: zoo, direction: .aToB).file.lastPathComponent, "latest_net_G.pth")
        let release = try folder(["monet2photo/latest_net_G_A.pth": "G_A_zip.pth", "monet2photo/latest_net_G_B.pth": "G_B_zip.pth"])
        XCTAssertEqual(try GeneratorWeightsLocator.locate(in: release, direction: .bToA).file.path,
                       release.appendingPathComponent("monet2photo/latest_net_G_B.pth").path)
    }

    func testAFolderWithoutGeneratorsSaysWhatItLookedFor() throws {
        let root = try folder(["notes/readme.pth": "G_A_zip.pth", "other/x.pth": "G_A_zip.pth"])
        XCTAssertThrowsError(try GeneratorWeightsLocator.locate(in: root, direction: .aToB)) { error in
            XCTAssertTrue("\(error)".contains("latest_net_G_A.pth") && "\(error)".contains("G_A.safetensors"), "\(error)")
        }
    }
}
