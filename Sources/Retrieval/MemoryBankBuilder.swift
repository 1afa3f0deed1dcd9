import NN
import Foundation

/// Builds a memory bank shard by shard in a work folder, then assembles the bank folder: the shards
/// moved in, the held-out patches gathered into one matrix per scale, the mean patch computed
/// exactly from the shards' byte sums, and `bank.json`. No step holds more than one shard.
public struct MemoryBankBuilder {
    public let scales: [PatchScale]
    public let selection: PatchSelection
    /// Source images per shard.
    public let imagesPerShard: Int
    /// Where shards are written and found again after an interruption.
    public let work: URL

    public init(scales: [PatchScale], selection: PatchSelection, imagesPerShard: Int, work: URL) {
        precondition(imagesPerShard > 0, "a shard holds at least one image")
        self.scales = scales
        self.selection = selection
        self.imagesPerShard = imagesPerShard
        self.work = work
    }

    /// Shards for `imageCount` images.
    public func shardCount(images imageCount: Int) -> Int { (imageCount + imagesPerShard - 1) / imagesPerShard }

    /// The source images of shard `index`.
    public func images(ofShard index: Int, of imageCount: Int) -> Range<Int> {
        (index * imagesPerShard)..<min(imageCount, (index + 1) * imagesPerShard)
    }

    /// An empty shard to fill.
    public func shard(_ index: Int) -> BankShard { BankShard(index: index, scales: scales, selection: selection) }

    /// The committed record of shard `index` from an earlier attempt, if any.
    public func committed(_ index: Int) -> BankShard.Record? { BankShard.committed(index, in: work, scales: scales) }

    /// Assembles the bank in `out` from the committed shards `records` (every shard, in order).
    /// With `dropEmptyScales` (one class of a semantic bank), a scale with no patches is left out of
    /// the bank instead of failing; nil when no scale has any.
    public func finish(records: [BankShard.Record], images: [String], seed: UInt64, cap: Int?,
                       into out: URL, dropEmptyScales: Bool = false) throws -> MemoryBankManifest? {
        var entries: [MemoryBankManifest.Scale] = []
        var kept: [Int] = []
        for (s, scale) in scales.enumerated() {
            let d = scale.dimension
            let perShard = records.map { $0.scales[s] }
            let rows = perShard.reduce(0) { $0 + $1.rows }
            let entry = MemoryBankManifest.Scale(scale: scale, patches: rows, holdout: perShard.reduce(0) { $0 + $1.holdout },
                                                 candidates: perShard.reduce(0) { $0 + $1.candidates },
                                                 shardRows: perShard.map(\.rows))
            if rows == 0 && dropEmptyScales { continue }
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            guard rows > 0 else {
                throw BankFileError.malformed(path: out.path, "scale \(scale.name) kept no patches of \(entry.candidates) positions; "
                                              + "images are smaller than the \(scale.patch)-pixel patch or the folder is empty")
            }
            for record in records {
                for file in [entry.shardFile(record.index), entry.shardLocationsFile(record.index)] {
                    try move(work.appendingPathComponent(file), to: out.appendingPathComponent(file))
                }
            }
            // The mean of the bank rows' floats, from exact byte sums: Σ(v·2/255 − 1)/n.
            var sums = [UInt64](repeating: 0, count: d)
            for r in perShard { for i in 0..<d { sums[i] &+= r.byteSums[i] } }
            let mean = sums.map { Float(Double($0) * (2.0 / 255.0) / Double(rows) - 1) }
            try NpyFile.write(mean, rows: 1, columns: d, to: out.appendingPathComponent(entry.meanFile))
            var held: [UInt8] = [], heldLocations: [Int32] = []
            for record in records {
                let patches = try MappedMatrix<UInt8>(contentsOf: work.appendingPathComponent(BankShard.files(scale, record.index).holdout))
                let locations = try MappedMatrix<Int32>(
                    contentsOf: work.appendingPathComponent(BankShard.files(scale, record.index).holdoutLocations))
                held += patches.elements
                heldLocations += locations.elements
            }
            try NpyFile.write(held, rows: entry.holdout, columns: d, to: out.appendingPathComponent(entry.holdoutFile))
            try NpyFile.write(heldLocations, rows: entry.holdout, columns: 3, to: out.appendingPathComponent(entry.holdoutLocationsFile))
            entries.append(entry)
            kept.append(s)
        }
        // The shards now live in the bank; what is left in the work folder is spent.
        defer { try? FileManager.default.removeItem(at: work) }
        guard !entries.isEmpty else { return nil }
        let keptSelection = PatchSelection(holdoutRates: kept.map { selection.holdoutRates[$0] },
                                           keepRates: kept.map { selection.keepRates[$0] }, seed: selection.seed)
        let manifest = MemoryBankManifest(images: images, scales: entries, seed: seed, cap: cap, selection: keptSelection)
        try manifest.write(to: out)
        return manifest
    }

    private func move(_ from: URL, to: URL) throws {
        do {
            try? FileManager.default.removeItem(at: to)
            try FileManager.default.moveItem(at: from, to: to)
        } catch {
            throw BankFileError.io(path: from.path, "moving into the bank: \(error.localizedDescription)")
        }
    }
}
