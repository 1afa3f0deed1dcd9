import Basics
import Foundation
import NN
import Pipeline
import Stages
import Tensor
@testable import Retrieval
import XCTest

/// `authors_bank` on small folders laid out like the authors' `data_for_patch_retrieval`: rows
/// import exactly, the copied indexes and PleinAir's scans over the imported bank retrieve what the
/// authors' indexes do, damaged folders fail naming the file, and `train` runs on the import.
final class AuthorsBankStageTests: XCTestCase {
    func testImportedRowsAreTheAuthorsRowsMappedToMinusOneOne() throws {
        let runner = try StageHarness("authors-rows")
        let data = try AuthorsFolder.write(to: runner.url("data"), patches: [8: 300, 4: 500], factory: "Flat")
        let result = try runner.run(AuthorsBankStage(), params: Self.scales([8, 4], [4, 3]), inputs: ["data": data],
                                    outputs: ["bank": runner.url("bank"), "index": runner.url("index")])
        let bank = try MemoryBank(folder: runner.url("bank"))
        XCTAssertEqual(bank.scales.map(\.scale.name), ["p8s4", "p4s3"])
        for scale in bank.scales {
            let p = scale.scale.patch, d = scale.scale.dimension
            let authors = try AuthorsFolder.rows(data, patch: p)
            XCTAssertEqual(scale.patches.rows * d, authors.count)
            XCTAssertEqual(scale.entry.holdout, 0)
            XCTAssertEqual(scale.location(of: 0).image, -1, "positions are unknown")
            let ours = try scale.patches.allFloats()
            let worst = zip(ours, authors).map { abs($0 - ($1 - 0.5) * 2) }.max() ?? 1
            XCTAssertLessThanOrEqual(worst, 2e-7, "\(scale.scale.name): (v − 0.5)·2 equals byte·2/255 − 1 up to float rounding")
            XCTAssertLessThan(result.value("mean_difference.\(scale.scale.name)") ?? 1, 1e-5)
        }
        XCTAssertGreaterThan(bank.scales[0].entry.shardRows.count, 1, "read in batches of rows_per_shard")
        let index = try PatchIndexManifest.read(from: runner.url("index"))
        XCTAssertEqual(index.factory, "imported")
        XCTAssertEqual(index.factories, ["Flat", "Flat"])
        for (p, name) in [(8, "p8s4"), (4, "p4s3")] {
            XCTAssertEqual(try Data(contentsOf: runner.url("index/\(name).faiss")),
                           try Data(contentsOf: data.appendingPathComponent("patch_size_\(p)/faiss_indexes/0.index")), "copied verbatim")
        }
    }

    func testPatchLossOverTheImportRetrievesTheAuthorsIndexNeighbours() throws {
        for factory in ["Flat", "IVF8,Flat"] {
            let runner = try StageHarness("authors-neighbours")
            let data = try AuthorsFolder.write(to: runner.url("data"), patches: [8: 400, 4: 600], factory: factory, nprobe: 3)
            _ = try runner.run(AuthorsBankStage(), params: Self.scales([8, 4], [4, 3]), inputs: ["data": data],
                               outputs: ["bank": runner.url("bank"), "index": runner.url("index")])
            let manifest = try PatchIndexManifest.read(from: runner.url("index"))
            XCTAssertEqual(manifest.nprobe, factory == "Flat" ? 0 : 3, "nprobe as the file stores it")
            let loss = try PatchLoss(bankFolder: runner.url("bank"), indexFolder: runner.url("index"), k: 5)
            XCTAssertTrue(loss.scales.allSatisfy { $0.scan != nil }, "PleinAir's own scans are in use, not FAISS's search")
            var rng = SeededGenerator(seed: 9)
            let generated = Tensor(shape: [1, 3, 20, 20], values: (0..<1200).map { _ in Float.random(in: -1...1, using: &rng) })
            for (s, (p, stride)) in [(8, 4), (4, 3)].enumerated() {
                let authors = try ANNIndex.read(from: data.appendingPathComponent("patch_size_\(p)/faiss_indexes/0.index"))
                let queries = generated.patches(size: p, stride: stride)
                let expected = try authors.search(queries.pointer, count: queries.shape[1], k: 5)
                let retrieval = try loss.retrieve(generated, scale: s)[0]
                XCTAssertEqual(retrieval.neighbors.labels, expected.labels, "\(factory) p\(p)")
            }
        }
    }

    func testEveryClassImportsAsASemanticBankWhosePatchesRetrieveFromTheirClassIndex() throws {
        let runner = try StageHarness("authors-all")
        let data = runner.url("data")
        _ = try AuthorsFolder.write(to: data, patches: [8: 120, 4: 200], factory: "Flat", seed: 4, classID: 0)
        _ = try AuthorsFolder.write(to: data, patches: [8: 90, 4: 150], factory: "IVF4,Flat", nprobe: 4, seed: 5, classID: 3)
        let result = try runner.run(AuthorsBankStage(), params: Self.scales([8, 4], [4, 3]).merging(["class": .string("all")]) { $1 },
                                    inputs: ["data": data], outputs: ["bank": runner.url("bank"), "index": runner.url("index")])
        XCTAssertEqual(result.value("classes"), 2)
        XCTAssertEqual(result.value("patches.class3.p4s3"), 150)
        let set = try MemoryBankSet(folder: runner.url("bank"))
        XCTAssertEqual(set.members.map(\.id), [0, 3])
        XCTAssertEqual(try BankClasses.read(from: runner.url("index")), set.classes)
        let loss = try PatchLoss(bankFolder: runner.url("bank"), indexFolder: runner.url("index"), k: 4)
        XCTAssertTrue(loss.isSemantic)
        // The left half of the image is class 3, the right half background.
        var rng = SeededGenerator(seed: 10)
        let generated = Tensor(shape: [1, 3, 20, 20], values: (0..<1200).map { _ in Float.random(in: -1...1, using: &rng) })
        let mask = LabelMap(width: 20, height: 20, labels: (0..<400).map { $0 % 20 < 10 ? 3 : 0 })
        for (s, (p, stride)) in [(8, 4), (4, 3)].enumerated() {
            let retrieval = try loss.retrieve(generated, scale: s, masks: [mask])[0]
            let queries = generated.patches(size: p, stride: stride).reshaped([-1, 3 * p * p])
            let classes = PatchClassRule.classes(of: mask, scale: PatchScale(patch: p, stride: stride))
            XCTAssertEqual(retrieval.classes, classes.map(Int.init))
            for id in [0, 3] {
                let authors = try ANNIndex.read(from: data.appendingPathComponent("patch_size_\(p)/faiss_indexes/\(id).index"))
                if id == 3 { try authors.setParameter("nprobe", 4) }
                let mine = classes.indices.filter { Int(classes[$0]) == id }
                let rows = queries.rows(mine)
                let expected = try authors.search(rows.pointer, count: mine.count, k: 4)
                XCTAssertEqual(mine.flatMap { Array(retrieval.neighbors.labels(of: $0)) }, expected.labels, "class \(id) p\(p)")
            }
        }
    }

    func testAuthorsMeanInZeroOneUnitsIsRecognisedAndTheBankKeepsTheExactMean() throws {
        let runner = try StageHarness("authors-mean")
        let data = try AuthorsFolder.write(to: runner.url("data"), patches: [4: 90], factory: "Flat", meanInUnitRange: true)
        let result = try runner.run(AuthorsBankStage(), params: Self.scales([4], [4]), inputs: ["data": data],
                                    outputs: ["bank": runner.url("bank"), "index": runner.url("index")])
        XCTAssertLessThan(result.value("mean_difference.p4s4") ?? 1, 1e-5)
        let provenance = try JSONDecoder().decode(AuthorsBankImport.Provenance.self,
                                                  from: Data(contentsOf: runner.url("bank/authors_bank.json")))
        XCTAssertEqual(provenance.scales.map(\.meanUnits), ["[0,1]"])
        let scale = try MemoryBank(folder: runner.url("bank")).scales[0]
        let rows = try scale.patches.allFloats()
        let exact = (0..<48).map { j in (0..<90).reduce(0.0) { $0 + Double(rows[$1 * 48 + j]) } / 90 }
        XCTAssertLessThan(zip(scale.mean, exact).map { abs(Double($0) - $1) }.max() ?? 1, 1e-6)
    }

    func testValueThatIsNotEightBitFailsNamingFileRowAndValue() throws {
        let runner = try StageHarness("authors-not8bit")
        let data = try AuthorsFolder.write(to: runner.url("data"), patches: [4: 50], factory: "Flat", damage: (row: 7, column: 5, value: 0.5))
        XCTAssertThrowsError(try runner.run(AuthorsBankStage(), params: Self.scales([4], [4]), inputs: ["data": data],
                                            outputs: ["bank": runner.url("bank"), "index": runner.url("index")])) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("patch_size_4/memory_bank_patches_binary/0.bin") && message.contains("row 7")
                          && message.contains("value 5 is 0.5"), message)
        }
    }

    func testMissingPatchSizeFolderFailsNamingIt() throws {
        let runner = try StageHarness("authors-missing")
        let data = try AuthorsFolder.write(to: runner.url("data"), patches: [8: 50], factory: "Flat")
        XCTAssertThrowsError(try runner.run(AuthorsBankStage(), params: Self.scales([8, 16], [4, 6]), inputs: ["data": data],
                                            outputs: ["bank": runner.url("bank"), "index": runner.url("index")])) { error in
            XCTAssertTrue("\(error)".contains("data/patch_size_16: missing"), "\(error)")
        }
    }

    func testTruncatedPatchFileFailsNamingIt() throws {
        let runner = try StageHarness("authors-truncated")
        let data = try AuthorsFolder.write(to: runner.url("data"), patches: [4: 50], factory: "Flat")
        let bin = data.appendingPathComponent("patch_size_4/memory_bank_patches_binary/0.bin")
        try Data(try Data(contentsOf: bin).dropLast(8)).write(to: bin)
        XCTAssertThrowsError(try runner.run(AuthorsBankStage(), params: Self.scales([4], [4]), inputs: ["data": data],
                                            outputs: ["bank": runner.url("bank"), "index": runner.url("index")])) { error in
            XCTAssertTrue("\(error)".contains("0.bin: 9592 bytes is not a whole number"), "\(error)")
        }
    }

    func testIndexOverZeroOneRowsIsSearchedAsTheAuthorsSearchIt() throws {
        // Their .bin rows are in [0, 1] and their index may hold them so; their code queries it with
        // [-1, 1] generator patches. The import marks it, and the loss lets FAISS search it that way.
        let runner = try StageHarness("authors-space")
        let data = try AuthorsFolder.write(to: runner.url("data"), patches: [4: 80], factory: "Flat", indexInUnitRange: true)
        _ = try runner.run(AuthorsBankStage(), params: Self.scales([4], [4]), inputs: ["data": data],
                           outputs: ["bank": runner.url("bank"), "index": runner.url("index")])
        XCTAssertEqual(try PatchIndexManifest.read(from: runner.url("index")).unitVectors, true)
        let provenance = try JSONDecoder().decode(AuthorsBankImport.Provenance.self,
                                                  from: Data(contentsOf: runner.url("bank/authors_bank.json")))
        XCTAssertEqual(provenance.scales.map(\.indexUnits), ["[0,1]"])
        let loss = try PatchLoss(bankFolder: runner.url("bank"), indexFolder: runner.url("index"), k: 5)
        XCTAssertTrue(loss.scales.allSatisfy { $0.scan == nil }, "FAISS searches the [0, 1] index itself")
        var rng = SeededGenerator(seed: 12)
        let generated = Tensor(shape: [1, 3, 16, 16], values: (0..<768).map { _ in Float.random(in: -1...1, using: &rng) })
        let authors = try ANNIndex.read(from: data.appendingPathComponent("patch_size_4/faiss_indexes/0.index"))
        let queries = generated.patches(size: 4, stride: 4)
        XCTAssertEqual(try loss.retrieve(generated, scale: 0)[0].neighbors.labels,
                       try authors.search(queries.pointer, count: queries.shape[1], k: 5).labels)
    }

    func testTheAuthorsMeanIsKeptAsStoredBesideTheExactMean() throws {
        let runner = try StageHarness("authors-stored-mean")
        let data = try AuthorsFolder.write(to: runner.url("data"), patches: [4: 90], factory: "Flat", meanInUnitRange: true)
        _ = try runner.run(AuthorsBankStage(), params: Self.scales([4], [4]), inputs: ["data": data],
                           outputs: ["bank": runner.url("bank"), "index": runner.url("index")])
        let scale = try MemoryBank(folder: runner.url("bank")).scales[0]
        let stored = try XCTUnwrap(scale.storedMean)
        let file = try AuthorsMean.read(data.appendingPathComponent("patch_size_4/means/0.npy"), dimension: 48)
        XCTAssertEqual(stored, file.map { Float($0) }, "as stored, in the file's own [0, 1] units")
        XCTAssertLessThan(zip(stored, scale.mean).map { abs(($0 - 0.5) * 2 - $1) }.max() ?? 1, 1e-5)
        let loss = try PatchLoss(bankFolder: runner.url("bank"), indexFolder: runner.url("index"), classTerms: .authors, k: 5)
        XCTAssertEqual(loss.scales[0].mean(for: .authors).scalars, stored)
        XCTAssertEqual(loss.scales[0].mean(for: .shares).scalars, scale.mean)
    }

    func testTrainRunsWithThePatchLossOnAnImportedBank() throws {
        let runner = try StageHarness("authors-train")
        let scenes = try runner.demoScenes(train: 4, test: 1, size: 24)
        let data = try AuthorsFolder.write(to: runner.url("data"), patches: [8: 200], factory: "IVF4,Flat", nprobe: 2)
        _ = try runner.run(AuthorsBankStage(), params: Self.scales([8], [4]), inputs: ["data": data],
                           outputs: ["bank": runner.url("bank"), "index": runner.url("index")])
        let result = try runner.run(
            TrainStage(), params: TrainStageTests.params(["epoch_size": .int(2), "lambda_patch": .double(1), "sample_every": .int(100)]),
            inputs: ["A": scenes.appendingPathComponent("impressionist/train"), "B": scenes.appendingPathComponent("photos/train"),
                     "bank": runner.url("bank"), "index": runner.url("index")],
            outputs: ["model": runner.url("model"), "samples": runner.url("samples")])
        XCTAssertEqual(result.value("iterations"), 4)
        let patch = result.series("loss.patch")
        XCTAssertEqual(patch.count, 4)
        XCTAssertTrue(patch.allSatisfy { $0.isFinite && $0 > 0 }, "\(patch)")
    }

    static func scales(_ sizes: [Int], _ strides: [Int]) -> [String: ParamValue] {
        ["patch_sizes": .list(sizes.map { .int($0) }), "strides": .list(strides.map { .int($0) }), "rows_per_shard": .int(128)]
    }
}

/// A small folder laid out like the authors' `data_for_patch_retrieval` for class 0: random 8-bit
/// patches stored as float32 in [0, 1], the class mean in [−1, 1] units, and a FAISS index over
/// the rows mapped the authors' way, `(v − 0.5)·2` in float32.
enum AuthorsFolder {
    static func write(to root: URL, patches: [Int: Int], factory: String, nprobe: Int = 0, indexInUnitRange: Bool = false,
                      meanInUnitRange: Bool = false,
                      damage: (row: Int, column: Int, value: Float)? = nil, seed: UInt64 = 4, classID: Int = 0) throws -> URL {
        var rng = SeededGenerator(seed: seed)
        for (p, rows) in patches.sorted(by: { $0.key > $1.key }) {
            let d = 3 * p * p
            let folder = root.appendingPathComponent("patch_size_\(p)")
            for sub in ["memory_bank_patches_binary", "means", "faiss_indexes"] {
                try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            var values = (0..<(rows * d)).map { _ in Float(UInt8.random(in: 0...255, using: &rng)) / 255 }
            if let damage { values[damage.row * d + damage.column] = damage.value }
            try values.withUnsafeBufferPointer { Data(buffer: $0) }
                .write(to: folder.appendingPathComponent("memory_bank_patches_binary/\(classID).bin"))
            let mapped = values.map { ($0 - 0.5) * 2 }
            let mean = (0..<d).map { j in Float((0..<rows).reduce(0.0) { $0 + Double(mapped[$1 * d + j]) } / Double(rows)) }
            try oneDimensionalNpy(meanInUnitRange ? mean.map { $0 / 2 + 0.5 } : mean)
                .write(to: folder.appendingPathComponent("means/\(classID).npy"))
            let indexed = indexInUnitRange ? values : mapped
            let index = try ANNIndex(dimension: d, factory: factory)
            try index.train(indexed, count: rows)
            try index.add(indexed, count: rows)
            if nprobe > 0, index.invertedLists > 0 { try index.setParameter("nprobe", Double(nprobe)) }
            try index.write(to: folder.appendingPathComponent("faiss_indexes/\(classID).index"))
        }
        return root
    }

    /// The float32 rows of `patch_size_<patch>/memory_bank_patches_binary/0.bin`.
    static func rows(_ root: URL, patch: Int) throws -> [Float] {
        let data = try Data(contentsOf: root.appendingPathComponent("patch_size_\(patch)/memory_bank_patches_binary/0.bin"))
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    /// A 1-D float32 `.npy`, shape (d,), as `np.save` writes a mean vector.
    static func oneDimensionalNpy(_ values: [Float]) -> Data {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(values.count),), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBufferPointer { data.append(Data(buffer: $0)) }
        return data
    }
}
