import NN
import Foundation

/// `bank.json`: what a memory-bank folder holds, one entry per scale.
///
/// Per scale `name` (see `PatchScale.name`) the folder has `name.npy` (patches × 3·p·p float32,
/// values in [-1, 1] like the generator's output, vectors ordered channel, row, column),
/// `name.locations.npy` (patches × 3 int32: image index, x, y of the top-left corner in the
/// rescaled image), `name.mean.npy` (1 × 3·p·p: the bank's mean patch) and the same two files with
/// `holdout` for patches set aside to measure retrieval.
public struct MemoryBankManifest: Codable, Equatable, Sendable {
    /// One scale's files and counts.
    public struct Scale: Codable, Equatable, Sendable {
        public var scale: PatchScale
        /// Patches stored in the bank.
        public var patches: Int
        /// Patches set aside (not in the bank).
        public var holdout: Int
        /// Patch positions available in all images before the cap.
        public var candidates: Int

        public var matrixFile: String { scale.name + ".npy" }
        public var locationsFile: String { scale.name + ".locations.npy" }
        public var meanFile: String { scale.name + ".mean.npy" }
        public var holdoutFile: String { scale.name + ".holdout.npy" }
        public var holdoutLocationsFile: String { scale.name + ".holdout-locations.npy" }
    }

    public static let fileName = "bank.json"
    public static let currentFormat = 1

    public var format: Int
    /// Source images relative to the folder the bank was cut from, indexed by the locations files.
    public var images: [String]
    public var scales: [Scale]
    public var seed: UInt64

    public init(images: [String], scales: [Scale], seed: UInt64) {
        self.format = MemoryBankManifest.currentFormat
        self.images = images
        self.scales = scales
        self.seed = seed
    }

    /// Reads `bank.json` from a bank folder.
    public static func read(from folder: URL) throws -> MemoryBankManifest {
        let url = folder.appendingPathComponent(fileName)
        let manifest: MemoryBankManifest
        do {
            manifest = try JSONDecoder().decode(MemoryBankManifest.self, from: Data(contentsOf: url))
        } catch {
            throw BankFileError.malformed(path: url.path, "\(error)")
        }
        guard manifest.format == currentFormat else {
            throw BankFileError.malformed(path: url.path, "format \(manifest.format), this build reads \(currentFormat)")
        }
        return manifest
    }

    /// Writes `bank.json` into `folder`.
    public func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = folder.appendingPathComponent(MemoryBankManifest.fileName)
        do {
            try encoder.encode(self).write(to: url, options: .atomic)
        } catch {
            throw BankFileError.io(path: url.path, error.localizedDescription)
        }
    }
}
