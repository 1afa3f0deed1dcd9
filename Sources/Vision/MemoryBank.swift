import NN
import Foundation

/// A memory bank folder opened for retrieval: every scale's patch matrix mapped, not loaded.
public final class MemoryBank: @unchecked Sendable {
    /// One scale of a loaded bank.
    public struct Scale: @unchecked Sendable {
        public let entry: MemoryBankManifest.Scale
        /// The real patches, one per row, in [-1, 1].
        public let patches: MappedMatrix<Float>
        /// Image index, x, y of each patch.
        public let locations: MappedMatrix<Int32>
        /// The bank's mean patch (subtracted before comparing patches in the contextual loss).
        public let mean: [Float]
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
            let patches = try MappedMatrix<Float>(contentsOf: folder.appendingPathComponent(entry.matrixFile))
            let locations = try MappedMatrix<Int32>(contentsOf: folder.appendingPathComponent(entry.locationsFile))
            let mean = try MappedMatrix<Float>(contentsOf: folder.appendingPathComponent(entry.meanFile))
            guard patches.columns == entry.scale.dimension, patches.rows == entry.patches, locations.rows == entry.patches,
                  mean.columns == entry.scale.dimension else {
                throw BankFileError.malformed(path: folder.appendingPathComponent(entry.matrixFile).path,
                                              "shape \(patches.rows)×\(patches.columns) disagrees with bank.json")
            }
            return Scale(entry: entry, patches: patches, locations: locations, mean: Array(mean.elements))
        }
    }

    /// The held-out patches of scale `index` (not in the bank), for measuring retrieval.
    public func holdout(_ index: Int) throws -> MappedMatrix<Float> {
        try MappedMatrix<Float>(contentsOf: folder.appendingPathComponent(manifest.scales[index].holdoutFile))
    }
}
