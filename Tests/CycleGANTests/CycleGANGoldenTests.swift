import Basics
import Foundation
import NN
import Tensor
import XCTest
import CycleGAN

/// The CycleGAN networks against PyTorch (scripts/reference/engine_reference.py, junyanz layout):
/// same state-dict keys, forward output and every parameter gradient within 1e-4 relative.
final class CycleGANGoldenTests: XCTestCase {
    func fixture(_ name: String) throws -> [String: Tensor] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Fixtures"))
        return try SafeTensors.read(contentsOf: url)
    }

    func assertMatchesReference(_ net: any Layer, fixture name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let f = try fixture(name)
        var weights: [String: Tensor] = [:]
        for (k, v) in f where k.hasPrefix("weights.") { weights[String(k.dropFirst(8))] = v }
        XCTAssertEqual(Set(net.stateDict().keys), Set(weights.keys), "state-dict keys", file: file, line: line)
        try net.loadStateDict(weights)
        let y = net(try XCTUnwrap(f["input"]))
        XCTAssertLessThan(GradientCheck.relativeError(y, try XCTUnwrap(f["output"])), 1e-4, "forward", file: file, line: line)
        y.backward(try XCTUnwrap(f["gout"]))
        // Biases feeding an instance norm have a gradient that is exactly zero in exact arithmetic;
        // both engines return rounding noise there, so those are held to the network's gradient scale.
        let references = try net.namedParameters().map { try XCTUnwrap(f["grad.\($0.name)"]) }
        let networkScale = references.map { $0.scalars.map(abs).max() ?? 0 }.max() ?? 0
        for ((key, p), reference) in zip(net.namedParameters(), references) {
            let g = try XCTUnwrap(p.grad, "\(key) has no gradient", file: file, line: line)
            let ownScale = reference.scalars.map(abs).max() ?? 0
            let error = ownScale < 1e-5 * networkScale
                ? zip(g.scalars, reference.scalars).map { abs($0 - $1) }.max()! / networkScale
                : GradientCheck.relativeError(g, reference)
            XCTAssertLessThan(error, 1e-4, "grad \(key)", file: file, line: line)
        }
    }

    func testResnetGeneratorMatchesPyTorch() throws {
        var rng = SeededGenerator(seed: 0)
        try assertMatchesReference(ResnetGenerator(ngf: 8, blocks: 2, generator: &rng), fixture: "generator")
    }

    func testPatchGANDiscriminatorMatchesPyTorch() throws {
        var rng = SeededGenerator(seed: 0)
        try assertMatchesReference(NLayerDiscriminator(ndf: 8, generator: &rng), fixture: "discriminator")
    }
}
