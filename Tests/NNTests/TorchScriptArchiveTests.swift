import Foundation
@testable import NN
import Tensor
import TestSupport
import XCTest

/// The TorchScript archive reader against a small archive torch.jit.save wrote
/// (tf_inception_reference.py fixture), and damaged copies of it.
final class TorchScriptArchiveTests: XCTestCase {
    static func fixture(_ name: String, _ ext: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures/torchscript"))
    }

    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("torchscript-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: scratch) }

    /// A copy of the fixture with `change` applied to its bytes.
    func damaged(_ change: (inout [UInt8]) throws -> Void) throws -> URL {
        var bytes = [UInt8](try Data(contentsOf: try Self.fixture("tiny", "pt")))
        try change(&bytes)
        let url = scratch.appendingPathComponent("damaged-\(UUID().uuidString).pt")
        try Data(bytes).write(to: url)
        return url
    }

    func assertFails(_ url: URL, saying problem: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try TorchScriptArchive.read(contentsOf: url), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(url.path), "the file is not named: \(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains(problem), "expected '\(problem)' in: \(error)", file: file, line: line)
        }
    }

    func testReadsEveryTensorOfNestedModulesAsTorchSeesThem() throws {
        let archive = try TorchScriptArchive.read(contentsOf: try Self.fixture("tiny", "pt"))
        let expected = try SafeTensors.read(contentsOf: try Self.fixture("tiny_expected", "safetensors"))
        XCTAssertEqual(Set(archive.tensors.keys), Set(expected.keys))
        for (key, tensor) in expected {
            XCTAssertEqual(archive.tensors[key]?.shape, tensor.shape, key)
            XCTAssertEqual(archive.tensors[key]?.scalars, tensor.scalars, key)
        }
        XCTAssertEqual(archive.tensors["view"]?.shape, [3, 3], "a strided view with an offset")
    }

    func testReadsIntegerAndIntegerListAttributesAndModuleClasses() throws {
        let archive = try TorchScriptArchive.read(contentsOf: try Self.fixture("tiny", "pt"))
        XCTAssertEqual(archive.integers["conv.stride"], [1])
        XCTAssertEqual(archive.integers["conv.padding"], [0, 1])
        XCTAssertEqual(archive.integers["tower.0.stride"], [2])
        XCTAssertEqual(archive.classes[""], "__torch__.TinyBlock")
        XCTAssertEqual(archive.classes["tower"], "__torch__.torch.nn.modules.container.Sequential")
    }

    func testAForeignGlobalIsRefusedByName() throws {
        // Same length, so the stored entry keeps its size: only the pickle's meaning changes.
        let url = try damaged { bytes in
            try ArchiveBytes.replace(Array("collections\nOrderedDict\n".utf8), with: Array("subprocess\ncheck_output\n".utf8), in: &bytes)
        }
        assertFails(url, saying: "refusing global subprocess.check_output")
    }

    func testATruncatedArchiveFails() throws {
        let url = try damaged { $0.removeLast($0.count / 2) }
        assertFails(url, saying: "zip")
    }

    func testAStorageRemovedFromTheArchiveIsNamed() throws {
        let url = try damaged { bytes in try ArchiveBytes.rename(entry: "tiny/data/4", to: "tiny/data/x", in: &bytes) }
        assertFails(url, saying: "storage 4 missing from the archive")
    }

    func testNotAZipFileFails() throws {
        let url = try damaged { $0 = Array("not an archive".utf8) }
        assertFails(url, saying: "not a TorchScript archive")
    }

    func testTheStateDictReaderStillRefusesModuleClasses() throws {
        let url = try Self.fixture("tiny", "pt")
        XCTAssertThrowsError(try PyTorchCheckpoint.readStateDict(contentsOf: url)) { error in
            XCTAssertTrue("\(error)".contains("refusing global __torch__.TinyBlock"), "\(error)")
        }
    }
}
