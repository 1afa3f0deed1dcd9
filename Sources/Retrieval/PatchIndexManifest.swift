import NN
import Foundation

/// `index.json`: how the indexes of an `ann_index` folder were built, one FAISS file per bank scale.
public struct PatchIndexManifest: Codable, Equatable, Sendable {
    public static let fileName = "index.json"

    /// The FAISS index-factory string every scale was built from, as given (`auto`: per scale, see
    /// `PatchIndexRecipe`).
    public var factory: String
    /// The factory string each scale was built from, in `scales` order.
    public var factories: [String]
    /// IVF lists probed per query (0 where the index has no IVF part).
    public var nprobe: Int
    /// HNSW candidate-list size at search time (0 where the index has no HNSW part).
    public var efSearch: Int
    /// Candidates per query re-ranked exactly from the bank, for indexes with compressed codes.
    public var shortlist: Int
    /// Scale names (`PatchScale.name`), in the bank's order; each index is `name.faiss`.
    public var scales: [String]
    /// True for indexes imported from the authors that hold the [0, 1] rows of their `.bin` files:
    /// FAISS searches them with the [−1, 1] generator patches as the authors' code does, never a scan
    /// or re-ranking over the bank (which would search the [−1, 1] rows). Nil: the bank's own units.
    public var unitVectors: Bool?

    public init(factory: String, factories: [String], nprobe: Int, efSearch: Int, shortlist: Int, scales: [String]) {
        self.factory = factory
        self.factories = factories
        self.nprobe = nprobe
        self.efSearch = efSearch
        self.shortlist = shortlist
        self.scales = scales
    }

    public static func indexFile(_ scale: String) -> String { scale + ".faiss" }

    /// Sets nprobe / efSearch where the index type has them (FAISS rejects them elsewhere).
    public func applySearchParameters(to index: ANNIndex) throws {
        if index.invertedLists > 0, nprobe > 0 { try index.setParameter("nprobe", Double(nprobe)) }
        if factory.contains("HNSW") || factories.contains(where: { $0.contains("HNSW") }), efSearch > 0 {
            try index.setParameter("efSearch", Double(efSearch))
        }
    }

    /// The search the patch loss runs over `index` and its `bank` (nil: FAISS's own search):
    /// compressed codes are re-ranked exactly from the bank; `Flat` and IVF-Flat indexes over banks
    /// that fit in memory are scanned with sgemm (`blasScan`), same neighbours as FAISS's scan.
    public func search(over index: ANNIndex, bank: PatchMatrix, threads: Int, blasScan: Bool = true) throws
        -> (any NearestNeighborScan)? {
        try Self.search(over: index, bank: bank, shortlist: shortlist, threads: threads, blasScan: blasScan)
    }

    /// `search(over:bank:threads:blasScan:)` with the shortlist given.
    public static func search(over index: ANNIndex, bank: PatchMatrix, shortlist: Int, threads: Int, blasScan: Bool = true) throws
        -> (any NearestNeighborScan)? {
        if index.invertedLists > 0, index.codeSize > 0, index.codeSize < 4 * index.dimension {
            return RerankedSearch(index: index, bank: bank, shortlist: max(1, shortlist), threads: threads)
        }
        guard blasScan else { return nil }
        if index.isInvertedFlat, bank.floatBytes <= 1 << 30 {
            // Indexes behind a transform (PCA…) have no directly readable inverted file: FAISS searches them.
            return try? InvertedFileScan(index: index, bank: bank)
        }
        if index.isExactL2 { return try ExactScan(bank: bank) }
        return nil
    }

    /// Reads `index.json` from an index folder.
    public static func read(from folder: URL) throws -> PatchIndexManifest {
        let url = folder.appendingPathComponent(fileName)
        let hint = " (indexes built before sharded 8-bit banks must be rebuilt)"
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw BankFileError.malformed(path: url.path, "cannot read the file" + hint)
        }
        return try JSONManifest.decode(PatchIndexManifest.self, from: data, url: url, hint: hint)
    }

    /// Writes `index.json` into `folder`.
    public func write(to folder: URL) throws {
        try JSONManifest.write(self, to: folder.appendingPathComponent(PatchIndexManifest.fileName))
    }

    /// Reads every scale's index from `folder`, with the search parameters re-applied.
    public func readIndexes(from folder: URL) throws -> [ANNIndex] {
        try scales.map { name in
            let index = try ANNIndex.read(from: folder.appendingPathComponent(PatchIndexManifest.indexFile(name)))
            try applySearchParameters(to: index)
            return index
        }
    }
}
