import NN
import Basics
import Foundation
import Tensor

/// Collects the patches of one scale from a stream of images, keeping a seeded uniform sample of
/// at most `capacity + holdout` of them (reservoir sampling), so the result depends only on the
/// images, their order and the seed, and memory stays bounded however many photographs there are.
public struct ScaleReservoir {
    public let scale: PatchScale
    public let capacity: Int
    public let holdout: Int
    private var vectors: [Float] = []
    private var locations: [Int32] = []
    private var seen = 0
    private var rng: SeededGenerator

    /// A reservoir keeping at most `capacity` bank patches plus `holdout` set-aside ones.
    public init(scale: PatchScale, capacity: Int, holdout: Int, seed: UInt64) {
        precondition(capacity > 0 && holdout >= 0, "capacity must be positive, holdout non-negative")
        self.scale = scale
        self.capacity = capacity
        self.holdout = holdout
        rng = SeededGenerator(seed: seed)
    }

    /// Patch positions offered so far.
    public var candidates: Int { seen }

    /// Offers every patch position of one planar RGB image in [-1, 1] (already rescaled).
    public mutating func offer(_ planar: [Float], width: Int, height: Int, imageIndex: Int) {
        precondition(planar.count == 3 * width * height, "expected a planar RGB image")
        let limit = capacity + holdout, d = scale.dimension
        let nx = scale.positions(width), ny = scale.positions(height)
        guard nx > 0, ny > 0 else { return }
        planar.withUnsafeBufferPointer { image in
            for py in 0..<ny {
                for px in 0..<nx {
                    let x = px * scale.stride, y = py * scale.stride
                    var slot = -1
                    if seen < limit {
                        slot = seen
                        vectors.append(contentsOf: repeatElement(0, count: d))
                        locations.append(contentsOf: [0, 0, 0])
                    } else {
                        let j = Int(rng.next() % UInt64(seen + 1))
                        if j < limit { slot = j }
                    }
                    seen += 1
                    guard slot >= 0 else { continue }
                    vectors.withUnsafeMutableBufferPointer { v in
                        PatchCutter.copy(image.baseAddress!, width: width, height: height, channels: 3, patch: scale.patch,
                                         x: x, y: y, into: v.baseAddress! + slot * d)
                    }
                    locations[slot * 3] = Int32(imageIndex)
                    locations[slot * 3 + 1] = Int32(x)
                    locations[slot * 3 + 2] = Int32(y)
                }
            }
        }
    }

    /// Splits the kept patches into bank and holdout (a seeded draw, at most a fifth of them held
    /// out so small banks stay useful) and writes the scale's files into `folder`.
    public mutating func write(to folder: URL) throws -> MemoryBankManifest.Scale {
        let kept = locations.count / 3, d = scale.dimension
        guard kept > 1 else {
            throw BankFileError.malformed(path: folder.path, "scale \(scale.name) found \(kept) patch positions; "
                                          + "images are smaller than the \(scale.patch)-pixel patch or the folder is empty")
        }
        var order = Array(0..<kept)
        order.shuffle(using: &rng)
        let held = min(holdout, kept / 5)
        // Bank rows sorted by image and position: nearby rows are nearby patches, and metadata reads naturally.
        func byLocation(_ a: Int, _ b: Int) -> Bool {
            (locations[a * 3], locations[a * 3 + 2], locations[a * 3 + 1]) < (locations[b * 3], locations[b * 3 + 2], locations[b * 3 + 1])
        }
        let holdoutRows = order[..<held].sorted(by: byLocation)
        let bankRows = order[held...].sorted(by: byLocation)
        func gather(_ rows: [Int]) -> (vectors: [Float], locations: [Int32]) {
            var v = [Float](repeating: 0, count: rows.count * d), l = [Int32](repeating: 0, count: rows.count * 3)
            for (k, r) in rows.enumerated() {
                for i in 0..<d { v[k * d + i] = vectors[r * d + i] }
                for i in 0..<3 { l[k * 3 + i] = locations[r * 3 + i] }
            }
            return (v, l)
        }
        let bank = gather(bankRows), heldOut = gather(holdoutRows)
        var mean = [Double](repeating: 0, count: d)
        for r in 0..<bankRows.count { for i in 0..<d { mean[i] += Double(bank.vectors[r * d + i]) } }
        let meanPatch = mean.map { Float($0 / Double(bankRows.count)) }
        let entry = MemoryBankManifest.Scale(scale: scale, patches: bankRows.count, holdout: held, candidates: seen)
        try NpyFile.write(bank.vectors, rows: bankRows.count, columns: d, to: folder.appendingPathComponent(entry.matrixFile))
        try NpyFile.write(bank.locations, rows: bankRows.count, columns: 3, to: folder.appendingPathComponent(entry.locationsFile))
        try NpyFile.write(meanPatch, rows: 1, columns: d, to: folder.appendingPathComponent(entry.meanFile))
        try NpyFile.write(heldOut.vectors, rows: held, columns: d, to: folder.appendingPathComponent(entry.holdoutFile))
        try NpyFile.write(heldOut.locations, rows: held, columns: 3, to: folder.appendingPathComponent(entry.holdoutLocationsFile))
        return entry
    }
}
