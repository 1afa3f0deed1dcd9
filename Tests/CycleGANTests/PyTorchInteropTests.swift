import Foundation
import NN
import Tensor
import TestSupport
import XCTest
import CycleGAN

/// Weights cross between PleinAir and PyTorch under the same state-dict keys, both ways
/// (scripts/reference/cyclegan_weights.py).
final class PyTorchInteropTests: XCTestCase {
    private func fixture(_ path: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: path, withExtension: nil, subdirectory: "Fixtures"))
    }

    private var toyOptions: CycleGANOptions {
        var o = CycleGANOptions()
        o.ngf = 4; o.ndf = 4; o.blocks = 1
        return o
    }

    func testAPyTorchWrittenModelLoadsStrictlyAndTranslatesAsPyTorchDoes() throws {
        let model = CycleGAN(options: toyOptions)
        try model.load(from: try fixture("torch_model"))
        let probe = try SafeTensors.read(contentsOf: try fixture("torch_probe.safetensors"))
        let ours = model.generatorA.translate(try XCTUnwrap(probe["input"]))
        let theirs = try XCTUnwrap(probe["G_A"])
        XCTAssertEqual(ours.shape, [1, 3, 22, 30])
        let worst = zip(ours.scalars, theirs.scalars).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(worst, 1e-4)
    }

    func testAPleinAirWrittenModelLoadsStrictlyIntoPyTorch() throws {
        try Requirement.torch.check(Requirement.torchImports, "/usr/bin/python3 cannot import torch (apt-get install python3-torch)", in: self)
        let python = URL(fileURLWithPath: "/usr/bin/python3")

        let folder = TemporaryFolder.url("torch-interop")
        defer { try? FileManager.default.removeItem(at: folder) }
        var o = toyOptions
        o.blocks = 2
        try CycleGAN(options: o).save(to: folder)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/reference/cyclegan_weights.py")
        let check = Process()
        check.executableURL = python
        check.arguments = [script.path, "check", folder.path]
        let pipe = Pipe()
        check.standardOutput = pipe
        check.standardError = pipe
        try check.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        XCTAssertEqual(check.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("G_A: 20 tensors load strictly") && output.contains("ngf 4, 2 blocks"), output)
        XCTAssertTrue(output.contains("D_B: 10 tensors load strictly") && output.contains("ndf 4, 3 layers"), output)
    }
}
