import NN
import Foundation

/// A memory bank folder opened for retrieval: every scale's shards mapped, not loaded.
public final class MemoryBank: @unchecked Sendable {
    /// One scale of a loaded bank.
    public struct Scale: @unchecked Sendable {
        public let entry: MemoryBankManifest.Scale
        /// The real patches, one per row, 8-bit, read as floats in [-1, 1].
        public let patches: PatchMatrix
        /// Image index, x, y of each patch.
        public let locations: ShardedMatrix<Int32>
        /// The bank's mean patch (subtracted before comparing patches in the contextual loss).
        public let mean: [Float]
        /// The mean patch the bank's source stored, as stored (`authors_bank` keeps the authors'
        /// `means/<c>.npy` as `<scale>.stored-mean.npy`); `ClassTerms.authors` subtracts it. Nil for banks cut here.
        public let storedMean: [Float]?
        public var scale: PatchScale { entry.scale }

        /// Source image index and top-left corner (in the rescaled image) of bank row `row`.
        public func location(of row: Int) -> (image: Int, x: Int, y: Int) {
            let l = locations.row(row)
            return (Int(l[0]), Int(l[1]), Int(l[2]))
        }
    }

    public let folder: URL
    public let manifest: MemoryBankManifest
    public let scales: [Scale]

    /// Opens the bank written by the `memory_bank` stage in `folder`.
    public init(folder: URL) throws {
        self.folder = folder
        manifest = try MemoryBankManifest.read(from: folder)
        scales = try manifest.scales.map { entry in
            let d = entry.scale.dimension
            let shards = entry.shardRows.indices
            let patches = try ShardedMatrix<UInt8>(files: shards.map { folder.appendingPathComponent(entry.shardFile($0)) }, columns: d)
            let locations = try ShardedMatrix<Int32>(files: shards.map { folder.appendingPathComponent(entry.shardLocationsFile($0)) },
                                                     columns: 3)
            let mean = try MappedMatrix<Float>(contentsOf: folder.appendingPathComponent(entry.meanFile))
            guard patches.rows == entry.patches, locations.rows == entry.patches, mean.columns == d,
                  zip(patches.shards, entry.shardRows).allSatisfy({ $0.rows == $1 }) else {
                throw BankFileError.malformed(path: folder.appendingPathComponent(MemoryBankManifest.fileName).path,
                                              "scale \(entry.scale.name): shards hold \(patches.rows) patches "
                                              + "(\(locations.rows) locations), bank.json says \(entry.patches)")
            }
            let storedURL = folder.appendingPathComponent(entry.storedMeanFile)
            var stored: [Float]?
            if FileManager.default.fileExists(atPath: storedURL.path) {
                let matrix = try MappedMatrix<Float>(contentsOf: storedURL)
                guard matrix.columns == d, matrix.rows == 1 else {
                    throw BankFileError.malformed(path: storedURL.path, "a stored mean of \(matrix.rows)×\(matrix.columns) for patches of \(d)")
                }
                stored = Array(matrix.elements)
            }
            return Scale(entry: entry, patches: PatchMatrix(patches), locations: locations, mean: Array(mean.elements), storedMean: stored)
        }
    }

    /// The held-out patches of scale `index` (not in the bank), for measuring retrieval.
    public func holdout(_ index: Int) throws -> PatchMatrix {
        let entry = manifest.scales[index]
        return PatchMatrix(try ShardedMatrix<UInt8>(files: [folder.appendingPathComponent(entry.holdoutFile)],
                                                    columns: entry.scale.dimension))
    }
}
