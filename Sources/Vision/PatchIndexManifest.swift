import NN
import Foundation

/// `index.json`: how the indexes of an `ann_index` folder were built, one FAISS file per bank scale.
public struct PatchIndexManifest: Codable, Equatable, Sendable {
    public static let fileName = "index.json"

    /// The FAISS index-factory string every scale was built from.
    public var factory: String
    /// IVF lists probed per query (0 where the index has no IVF part).
    public var nprobe: Int
    /// HNSW candidate-list size at search time (0 where the index has no HNSW part).
    public var efSearch: Int
    /// Scale names (`PatchScale.name`), in the bank's order; each index is `name.faiss`.
    public var scales: [String]

    public init(factory: String, nprobe: Int, efSearch: Int, scales: [String]) {
        self.factory = factory
        self.nprobe = nprobe
        self.efSearch = efSearch
        self.scales = scales
    }

    public static func indexFile(_ scale: String) -> String { scale + ".faiss" }

    /// Builds, trains and fills an index over `patches` with this manifest's search parameters set.
    public func build(over patches: MappedMatrix<Float>, threads: Int) throws -> ANNIndex {
        let index = try ANNIndex(dimension: patches.columns, factory: factory)
        try index.train(patches.base, count: patches.rows, threads: threads)
        try index.add(patches.base, count: patches.rows, threads: threads)
        try applySearchParameters(to: index)
        return index
    }

    /// Sets nprobe / efSearch where the index type has them (FAISS rejects them elsewhere).
    public func applySearchParameters(to index: ANNIndex) throws {
        if index.invertedLists > 0, nprobe > 0 { try index.setParameter("nprobe", Double(nprobe)) }
        if factory.contains("HNSW"), efSearch > 0 { try index.setParameter("efSearch", Double(efSearch)) }
    }

    /// Reads `index.json` from an index folder.
    public static func read(from folder: URL) throws -> PatchIndexManifest {
        let url = folder.appendingPathComponent(fileName)
        do {
            return try JSONDecoder().decode(PatchIndexManifest.self, from: Data(contentsOf: url))
        } catch {
            throw BankFileError.malformed(path: url.path, "\(error)")
        }
    }

    /// Writes `index.json` into `folder`.
    public func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = folder.appendingPathComponent(PatchIndexManifest.fileName)
        do {
            try encoder.encode(self).write(to: url, options: .atomic)
        } catch {
            throw BankFileError.io(path: url.path, error.localizedDescription)
        }
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
