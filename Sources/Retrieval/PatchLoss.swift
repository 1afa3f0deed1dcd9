import NN
import Foundation
import Basics
import Tensor

/// The "copying from the real" loss: cuts generated images into patches at every bank scale,
/// retrieves the k nearest real patches of each from the scale's FAISS index, pools the retrieved
/// ids of each image (unique, sorted — the authors' sparse approximation) and sums the contextual
/// loss against that pool over scales with per-scale weights, averaged over the batch.
///
/// With a semantic bank (one bank per segmentation class) and the paintings' masks, each generated
/// patch is matched only in the bank of its region's class (`PatchClassRule`), or class 0's where
/// that class has no patches at the scale; an image's term at a scale is then the mean over its
/// classes of the contextual loss of the class's patches against the class's pool, weighted by
/// the class's share of the image's patches (ours: one bank gives exactly the single-bank loss).
/// That is `ClassTerms.shares`; `ClassTerms.authors` is the authors' rule (`PatchLoss+Authors.swift`).
public final class PatchLoss {
    /// One scale of one bank: its patches, its index and its weight in the sum.
    public struct Scale {
        public let bank: MemoryBank.Scale
        public let index: ANNIndex
        public let weight: Float
        /// The search used instead of FAISS's own (nil: FAISS searches): sgemm scans for `Flat` and
        /// IVF-Flat indexes, exact re-ranking for compressed ones (`PatchIndexManifest.search`).
        public let scan: (any NearestNeighborScan)?
        let mean: Tensor
        /// The mean the bank's source stored (an imported bank's `means/<c>.npy`), subtracted as stored
        /// under `ClassTerms.authors`; nil: the recomputed `mean` serves both rules.
        let storedMean: Tensor?

        /// The mean patch the contextual loss subtracts under `terms`.
        func mean(for terms: ClassTerms) -> Tensor { terms == .authors ? storedMean ?? mean : mean }

        func search(_ queries: UnsafePointer<Float>, count: Int, k: Int, threads: Int) throws -> Neighbors {
            try scan?.search(queries, count: count, k: k) ?? index.search(queries, count: count, k: k, threads: threads)
        }
    }

    /// One class's banks, a scale per loss scale (nil where the class has no patches at it).
    public struct ClassBanks {
        public let id: Int
        public let name: String
        public let scales: [Scale?]
    }

    /// What one image's patches retrieved at one scale.
    public struct Retrieval: Sendable {
        public let scale: PatchScale
        /// Generated patches per image: positions on the (rescaled) image grid, row-major.
        public let columns: Int
        /// k neighbours of each generated patch, row-major [patches, k]: rows of the bank of the
        /// patch's class in `classes` (−1 when missing).
        public let neighbors: Neighbors
        /// The class whose bank each patch searched (all 0 for a single bank).
        public let classes: [Int]
        /// Per class bank searched, the image's pooled rows (unique, sorted) its affinity is computed against.
        public let pools: [Int: [Int]]
        /// The pool of class 0's bank (the only bank's, for a single bank).
        public var pooled: [Int] { pools[0] ?? [] }
    }

    /// Class 0's scales (the only bank's, for a single bank): every scale of the loss.
    public let scales: [Scale]
    /// Every class with patches, class 0 first.
    public let classBanks: [ClassBanks]
    /// Neighbours retrieved per generated patch (the authors' k = 5).
    public let k: Int
    /// Bandwidth h of the affinity (the authors' h = 1).
    public let bandwidth: Float
    /// OpenMP threads for FAISS searches (0: FAISS's default). Defaults to 1: one image's few hundred
    /// queries gain less from OpenMP than its barriers cost on shared cores (measured 134 ms with 1
    /// thread against 236 ms with 2 for a 64×64 image's three scales; benchmarks/RetrievalBenchmarks).
    public let threads: Int

    /// Whether the loss has one bank per class (and wants the paintings' masks).
    public let isSemantic: Bool
    /// How the classes' terms combine (and which patches join which class).
    public let classTerms: ClassTerms

    /// A loss over class banks (class 0 must have every scale); `semantic`: patches are matched in
    /// their region's class bank, so every call needs masks.
    public init(classBanks: [ClassBanks], semantic: Bool, classTerms: ClassTerms = .shares, k: Int = 5, bandwidth: Float = 1,
                threads: Int = 1) {
        precondition(k > 0 && bandwidth > 0, "k and bandwidth must be positive")
        let sorted = classBanks.sorted { $0.id < $1.id }
        precondition(sorted.first?.id == 0 && sorted[0].scales.allSatisfy { $0 != nil }, "class 0 needs a bank at every scale")
        self.classBanks = sorted
        isSemantic = semantic
        self.classTerms = classTerms
        scales = sorted[0].scales.map { $0! }
        self.k = k
        self.bandwidth = bandwidth
        self.threads = threads
    }

    /// A loss over every scale of `bank`, with `indexes` in the same order (from `ann_index`).
    ///
    /// Defaults follow aimagelab/art2real: k = 5 neighbours, h = 1, scales summed with equal weights
    /// (its loss has no per-scale weights; the generator objective multiplies the sum by 0.1).
    /// `blasScan`: search `Flat` indexes (`ExactScan`) and the probed lists of plain IVF indexes
    /// (`InvertedFileScan`) with sgemm, same neighbours as FAISS's scan, which Debian compiles without AVX2.
    /// Compressed (PQ) indexes return `shortlist` candidates that the bank re-ranks exactly.
    public convenience init(bank: MemoryBank, indexes: [ANNIndex], weights: [Float]? = nil, classTerms: ClassTerms = .shares, k: Int = 5,
                            bandwidth: Float = 1, threads: Int = 1, blasScan: Bool = true, shortlist: Int = 128) throws {
        let scales = try Self.scales(of: bank, indexes: indexes, weights: weights ?? [Float](repeating: 1, count: bank.scales.count),
                                     threads: threads, blasScan: blasScan, shortlist: shortlist)
        self.init(classBanks: [ClassBanks(id: 0, name: "all", scales: scales)], semantic: false, classTerms: classTerms, k: k,
                  bandwidth: bandwidth, threads: threads)
    }

    /// Opens a bank folder (from `memory_bank`, one bank or one per class) and its index folder (from `ann_index`).
    public convenience init(bankFolder: URL, indexFolder: URL, weights: [Float]? = nil, classTerms: ClassTerms = .shares, k: Int = 5,
                            bandwidth: Float = 1, threads: Int = 1, blasScan: Bool = true) throws {
        let set = try MemoryBankSet(folder: bankFolder)
        let w = weights ?? [Float](repeating: 1, count: set.scales.count)
        guard w.count == set.scales.count else {
            throw BankFileError.malformed(path: bankFolder.path, "\(set.scales.count) bank scales but \(w.count) weights")
        }
        let indexClasses = try BankClasses.read(from: indexFolder)
        guard (indexClasses == nil) == !set.isSemantic else {
            throw BankFileError.malformed(path: indexFolder.path, set.isSemantic ? "the bank has one bank per class but this index "
                                          + "folder has one index; rebuild it with ann_index" : "the index is per class but the bank is not")
        }
        let banks = try set.banks.map { member, bank -> ClassBanks in
            let folder = member.folder.map { indexFolder.appendingPathComponent($0) } ?? indexFolder
            let manifest = try PatchIndexManifest.read(from: folder)
            guard manifest.scales == bank.scales.map(\.scale.name) else {
                throw BankFileError.malformed(path: folder.path, "indexes for scales \(manifest.scales) but the bank has "
                                              + "\(bank.scales.map(\.scale.name))")
            }
            let own = bank.scales.map { s in w[set.scales.firstIndex(of: s.scale)!] }
            let scales = try Self.scales(of: bank, indexes: manifest.readIndexes(from: folder), weights: own, threads: threads,
                                         blasScan: blasScan, shortlist: manifest.shortlist, factorySearch: manifest.unitVectors == true)
            return ClassBanks(id: member.id, name: member.name,
                              scales: set.scales.map { s in scales.first { $0.bank.scale == s } })
        }
        self.init(classBanks: banks, semantic: set.isSemantic, classTerms: classTerms, k: k, bandwidth: bandwidth, threads: threads)
    }

    /// `factorySearch`: FAISS searches the index itself (an authors' index in [0, 1] units).
    static func scales(of bank: MemoryBank, indexes: [ANNIndex], weights: [Float], threads: Int, blasScan: Bool,
                       shortlist: Int, factorySearch: Bool = false) throws -> [Scale] {
        guard indexes.count == bank.scales.count, weights.count == bank.scales.count else {
            throw BankFileError.malformed(path: bank.folder.path, "\(bank.scales.count) bank scales but \(indexes.count) "
                                          + "indexes and \(weights.count) weights")
        }
        return try zip(bank.scales, zip(indexes, weights)).map { scale, pair in
            guard pair.0.dimension == scale.scale.dimension, pair.0.count == scale.patches.rows else {
                throw BankFileError.malformed(path: bank.folder.path, "index for \(scale.scale.name) holds \(pair.0.count) "
                                              + "vectors of \(pair.0.dimension); the bank has \(scale.patches.rows) of \(scale.scale.dimension)")
            }
            let scan = factorySearch ? nil
                : try PatchIndexManifest.search(over: pair.0, bank: scale.patches, shortlist: shortlist, threads: threads, blasScan: blasScan)
            return Scale(bank: scale, index: pair.0, weight: pair.1, scan: scan,
                         mean: Tensor(shape: [scale.mean.count], values: scale.mean),
                         storedMean: scale.storedMean.map { Tensor(shape: [$0.count], values: $0) })
        }
    }

    /// The loss of generated images [N, 3, H, W] in [−1, 1]; a scalar whose gradient flows to them.
    /// A semantic loss needs `masks`: one per image, the image's size (the painting's mask, cropped
    /// and flipped with it).
    public func callAsFunction(_ generated: Tensor, masks: [LabelMap]? = nil) throws -> Tensor {
        if classTerms == .authors { return try authorsLoss(generated, masks: masks?.map(ClassMasks.init)) }
        precondition(generated.rank == 4 && generated.shape[1] == 3, "patch loss needs [N, 3, H, W], got \(generated.shape)")
        let n = generated.shape[0]
        var total: Tensor?
        for s in scales.indices {
            let (patches, found) = try retrieveAll(generated, scale: s, masks: masks)
            let l = patches.shape[1]
            for b in 0..<n {
                let mine = patches.slice(axis: 0, b..<(b + 1)).reshaped([l, patches.shape[2]])
                let groups = try found[b].map { group in
                    let scale = bank(group.bank, s)
                    return (positions: group.positions, real: try gather(scale.bank.patches, rows: group.pooled), mean: scale.mean)
                }
                let term = Self.imageTerm(mine, groups: groups, weight: scales[s].weight, bandwidth: bandwidth)
                total = total.map { $0 + term } ?? term
            }
        }
        return total!.scaled(1 / Float(n))
    }

    /// The loss with masks that may overlap (the authors' pickles); under `shares` they must not
    /// overlap (one class per pixel). A mask with no entries is class 0 everywhere.
    public func callAsFunction(_ generated: Tensor, classMasks: [ClassMasks]?) throws -> Tensor {
        if classTerms == .authors { return try authorsLoss(generated, masks: classMasks) }
        return try self(generated, masks: classMasks.map { masks in
            try masks.map { m in
                guard let map = m.labelMap else {
                    throw BankFileError.malformed(path: "masks", "class_terms shares takes one class per pixel, but these masks overlap "
                                                  + "(or name a class above 255); use class_terms: authors")
                }
                return map
            }
        })
    }

    /// One image's term at one scale from its patches [L, D]: the sum over the banks that served
    /// them of weight · (the bank's share of the L patches) · CX(those patches, the bank's pool of real
    /// patches, the bank's mean). One bank serving every patch is the single-bank loss exactly.
    public static func imageTerm(_ patches: Tensor, groups: [(positions: [Int], real: Tensor, mean: Tensor)], weight: Float,
                                 bandwidth: Float = 1) -> Tensor {
        let l = patches.shape[0]
        var total: Tensor?
        for group in groups {
            let subset = group.positions.count == l ? patches : patches.rows(group.positions)
            let share = Float(group.positions.count) / Float(l)
            let term = ContextualLoss.loss(generated: subset, real: group.real, mean: group.mean, bandwidth: bandwidth)
                .scaled(weight * share)
            total = total.map { $0 + term } ?? term
        }
        return total!
    }

    /// What the patches of each image retrieved at scale `s` (for inspection and contact sheets).
    public func retrieve(_ generated: Tensor, scale s: Int, masks: [LabelMap]? = nil) throws -> [Retrieval] {
        try GradMode.withoutGradient {
            let (patches, found) = try retrieveAll(generated, scale: s, masks: masks)
            let l = patches.shape[1], scale = scales[s].bank.scale
            let kk = found.flatMap { $0 }.map(\.neighbors.k).max() ?? 0
            return found.map { groups in
                var labels = [Int](repeating: -1, count: l * kk), distances = [Float](repeating: .infinity, count: l * kk)
                var classes = [Int](repeating: 0, count: l)
                for group in groups {
                    for (q, position) in group.positions.enumerated() {
                        classes[position] = group.bank
                        for j in 0..<group.neighbors.k {
                            labels[position * kk + j] = group.neighbors.labels[q * group.neighbors.k + j]
                            distances[position * kk + j] = group.neighbors.distances[q * group.neighbors.k + j]
                        }
                    }
                }
                return Retrieval(scale: scale, columns: scale.positions(scale.rescaled(generated.shape[3])),
                                 neighbors: Neighbors(k: kk, labels: labels, distances: distances), classes: classes,
                                 pools: Dictionary(uniqueKeysWithValues: groups.map { ($0.bank, $0.pooled) }))
            }
        }
    }

    /// The patches of one image that one bank served at one scale.
    struct Group {
        /// Class id of the bank searched.
        let bank: Int
        /// Patch positions (row-major on the rescaled grid), ascending.
        let positions: [Int]
        /// Their neighbours, in `positions` order.
        let neighbors: Neighbors
        /// The image's pooled bank rows for this bank (unique, sorted).
        let pooled: [Int]
    }

    /// Class `id`'s bank at scale `s`.
    func bank(_ id: Int, _ s: Int) -> Scale { classBanks.first { $0.id == id }!.scales[s]! }

    /// The class whose bank serves each patch position of scale `s` on each image.
    func servingClasses(_ masks: [LabelMap]?, scale s: Int, images n: Int, height: Int, width: Int) throws -> [[Int]] {
        let scale = scales[s].bank.scale
        let l = scale.positions(scale.rescaled(height)) * scale.positions(scale.rescaled(width))
        guard isSemantic else { return Array(repeating: Array(repeating: 0, count: l), count: n) }
        guard let masks, masks.count == n else {
            throw BankFileError.malformed(path: scales[s].bank.entry.scale.name,
                                          "the bank is semantic (one per class): the patch loss needs a mask per image (\(n)), got "
                                          + "\(masks?.count ?? 0)")
        }
        let served = Dictionary(uniqueKeysWithValues: classBanks.map { ($0.id, $0.scales[s] != nil) })
        return masks.map { mask in
            precondition(mask.width == width && mask.height == height, "a mask of \(mask.width)x\(mask.height) for a \(width)x\(height) image")
            return PatchClassRule.classes(of: mask, scale: scale, width: width, height: height).map { c in
                served[Int(c)] == true ? Int(c) : 0
            }
        }
    }

    /// The (rescaled) image cut into patches [N, L, D], and per image the groups of its patches by
    /// the bank that served them, with their neighbours and pools.
    private func retrieveAll(_ generated: Tensor, scale s: Int, masks: [LabelMap]?) throws -> (Tensor, [[Group]]) {
        let scale = scales[s].bank.scale
        let h = generated.shape[2], w = generated.shape[3]
        let source = scale.rescale == 1 ? generated
            : generated.resizedBilinear(height: scale.rescaled(h), width: scale.rescaled(w))
        let patches = source.patches(size: scale.patch, stride: scale.stride)
        let n = patches.shape[0], l = patches.shape[1], d = patches.shape[2]
        let serving = try servingClasses(masks, scale: s, images: n, height: h, width: w)
        var groups = [[Group]](repeating: [], count: n)
        for id in Set(serving.flatMap { $0 }).sorted() {
            let bank = bank(id, s)
            let kk = min(k, bank.index.count)
            // The rows of every image's patches this bank serves, searched in one call.
            let rows = (0..<n).flatMap { b in serving[b].indices.filter { serving[b][$0] == id }.map { b * l + $0 } }
            let found: Neighbors
            if rows.count == n * l {
                found = try bank.search(patches.pointer, count: n * l, k: kk, threads: threads)
            } else {
                var queries = [Float](repeating: 0, count: rows.count * d)
                queries.withUnsafeMutableBufferPointer { q in
                    for (i, row) in rows.enumerated() { (q.baseAddress! + i * d).update(from: patches.pointer + row * d, count: d) }
                }
                found = try queries.withUnsafeBufferPointer { try bank.search($0.baseAddress!, count: rows.count, k: kk, threads: threads) }
            }
            var start = 0
            for b in 0..<n {
                var end = start
                while end < rows.count, rows[end] / l == b { end += 1 }
                guard end > start else { continue }
                let labels = Array(found.labels[(start * kk)..<(end * kk)])
                groups[b].append(Group(bank: id, positions: rows[start..<end].map { $0 - b * l },
                                       neighbors: Neighbors(k: kk, labels: labels,
                                                            distances: Array(found.distances[(start * kk)..<(end * kk)])),
                                       pooled: Array(Set(labels.filter { $0 >= 0 })).sorted()))
                start = end
            }
        }
        return (patches, groups)
    }

    /// Bank rows `rows` as a constant [rows, D] tensor of floats, read with `pread`: only these rows
    /// are read, and none stays mapped in this process (see `ShardedMatrix`).
    func gather(_ matrix: PatchMatrix, rows: [Int]) throws -> Tensor {
        let out = Tensor(zeros: [rows.count, matrix.columns])
        try matrix.readRows(rows, into: out.pointer)
        return out
    }
}
