import Basics
import Foundation
import NN
import Tensor
import TestSupport
@testable import CycleGAN
import XCTest

/// PleinAir models go out in junyanz's checkpoint layout, readable by torch.load and strict
/// load_state_dict (scripts/reference/junyanz_checkpoints.py check-export).
final class JunyanzExportTests: XCTestCase {
    private func temporary(_ name: String) -> URL {
        let url = TemporaryFolder.url(name)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func savedModel(ngf: Int = 4, blocks: Int = 2) throws -> (CycleGAN, URL) {
        var o = CycleGANOptions()
        o.ngf = ngf; o.ndf = 4; o.blocks = blocks; o.seed = 11
        let model = CycleGAN(options: o)
        let folder = temporary("model")
        try model.save(to: folder)
        return (model, folder)
    }

    func testExportedCheckpointsReadBackWithEveryTensorIntact() throws {
        let (model, folder) = try savedModel()
        let out = temporary("export")
        let files = try JunyanzExport.export(model: folder, to: out)
        XCTAssertEqual(files.map(\.lastPathComponent),
                       ["latest_net_G_A.pth", "latest_net_G_B.pth", "latest_net_D_A.pth", "latest_net_D_B.pth"])
        for (name, module) in model.networks {
            let back = try PyTorchCheckpoint.readStateDict(contentsOf: out.appendingPathComponent("latest_net_\(name).pth"))
            let own = module.stateDict()
            XCTAssertEqual(Set(back.keys), Set(own.keys), name)
            for (key, t) in own {
                XCTAssertEqual(back[key]?.shape, t.shape, key)
                XCTAssertEqual(back[key]?.scalars, t.scalars, key)
            }
        }
    }

    func testStorageEntriesAreStoredAndAligned() throws {
        let data = try PyTorchCheckpoint.encode([(key: "a", tensor: Tensor(shape: [3], values: [1, 2, 3])),
                                                 (key: "b", tensor: Tensor(shape: [2, 2], values: [4, 5, 6, 7]))])
        let bytes = [UInt8](data)
        // Each local header's data starts on a 64-byte boundary (PyTorch's writer does the same).
        var offset = 0, entries = 0
        while offset + 30 <= bytes.count, bytes[offset..<(offset + 4)] == [0x50, 0x4B, 0x03, 0x04] {
            let method = Int(bytes[offset + 8]) | Int(bytes[offset + 9]) << 8
            let size = (0..<4).reduce(0) { $0 | Int(bytes[offset + 18 + $1]) << (8 * $1) }
            let nameLength = Int(bytes[offset + 26]) | Int(bytes[offset + 27]) << 8
            let extraLength = Int(bytes[offset + 28]) | Int(bytes[offset + 29]) << 8
            let start = offset + 30 + nameLength + extraLength
            XCTAssertEqual(method, 0)
            XCTAssertEqual(start % 64, 0)
            offset = start + size
            entries += 1
        }
        XCTAssertEqual(entries, 5)  // data.pkl, byteorder, two storages, version
    }

    func testAFolderWithoutGeneratorsIsRefusedNamingTheFile() throws {
        let empty = temporary("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertThrowsError(try JunyanzExport.export(model: empty, to: temporary("out"))) { error in
            XCTAssertTrue("\(error)".contains("G_A.safetensors"), "\(error)")
        }
    }

    func testExportedCheckpointsLoadStrictlyInPyTorchAndTranslateAlike() throws {
        try Requirement.torch.check(Requirement.torchImports, "/usr/bin/python3 cannot import torch (apt-get install python3-torch)", in: self)
        let (model, folder) = try savedModel()
        let out = temporary("export")
        try JunyanzExport.export(model: folder, to: out)
        var rng = SeededGenerator(seed: 3)
        let input = Tensor.randomUniform([1, 3, 16, 20], low: -1, high: 1, generator: &rng)
        let probe = out.appendingPathComponent("probe.safetensors")
        try SafeTensors.write(["input": input, "G_A": model.generatorA.translate(input)], to: probe)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/reference/junyanz_checkpoints.py")
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        check.arguments = [script.path, "check-export", out.path, probe.path]
        let pipe = Pipe()
        check.standardOutput = pipe
        check.standardError = pipe
        try check.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        XCTAssertEqual(check.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("G_A: 20 tensors load strictly") && output.contains("ngf 4, 2 blocks") && output.contains("OrderedDict"), output)
        XCTAssertTrue(output.contains("D_B: 10 tensors load strictly"), output)
        let line = try XCTUnwrap(output.split(separator: "\n").first { $0.contains("largest difference") }, output)
        let worst = try XCTUnwrap(Double(line.split(separator: " ").last.map(String.init) ?? ""), output)
        XCTAssertLessThan(worst, 1e-4, output)
    }
}
