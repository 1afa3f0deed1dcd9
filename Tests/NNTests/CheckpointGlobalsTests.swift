@testable import NN
import Foundation
import TestSupport
import XCTest

/// A checkpoint is data: a pickle that names any global outside what a state dict needs is
/// refused, naming the global and the file, before anything is built from it.
final class CheckpointGlobalsTests: XCTestCase {
    func write(_ bytes: [UInt8]) throws -> URL {
        let url = TemporaryFolder.url("hostile", extension: "pth")
        try Data(bytes).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func assertRefused(_ url: URL, naming fragment: String, line: UInt = #line) {
        XCTAssertThrowsError(try PyTorchCheckpoint.readStateDict(contentsOf: url), line: line) {
            XCTAssertTrue("\($0)".contains(url.path), "\($0)", line: line)
            XCTAssertTrue("\($0)".contains(fragment), "\($0)", line: line)
        }
    }

    func testGlobalNamedByGLOBALIsRefused() throws {
        // PROTO 2, GLOBAL 'os system', then what a call would need: refused at the name.
        let pickle: [UInt8] = [0x80, 0x02] + Array("cos\nsystem\n".utf8) + [0x58, 2, 0, 0, 0] + Array("id".utf8) + [0x85, 0x52, 0x2E]
        assertRefused(try write(pickle), naming: "refusing global os.system")
    }

    func testGlobalNamedBySTACK_GLOBALIsRefused() throws {
        let pickle: [UInt8] = [0x80, 0x04, 0x8C, 8] + Array("builtins".utf8) + [0x8C, 4] + Array("eval".utf8) + [0x93, 0x2E]
        assertRefused(try write(pickle), naming: "refusing global builtins.eval")
    }

    func testStateDictGlobalsAreAllowed() {
        for name in ["collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter", "torch.FloatStorage"] {
            XCTAssertTrue(PyTorchCheckpoint.allowedGlobals.contains(name), name)
        }
        XCTAssertFalse(PyTorchCheckpoint.allowedGlobals.contains("torch.nn.modules.conv.Conv2d"))
    }
}
