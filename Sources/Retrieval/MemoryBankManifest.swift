import NN
import Foundation

/// `bank.json`: what a memory-bank folder holds, one entry per scale.
///
/// Per scale `name` (see `PatchScale.name`) the folder has, for each shard `i` (a group of
/// consecutive source images), `name.0000i.npy` (rows × 3·p·p uint8: the patches' 8-bit pixels,
/// ordered channel, row, column; read as `v · 2/255 − 1` like the generator's [−1, 1] output) and
/// `name.0000i.locations.npy` (rows × 3 int32: image index, x, y of the top-left corner in the
/// rescaled image); `name.mean.npy` (1 × 3·p·p float32: the bank's mean patch in [−1, 1]); and
/// `name.holdout.npy` / `name.holdout-locations.npy` for the patches set aside to measure retrieval.
/// Every file is NumPy's `.npy`, so `np.load(f, mmap_mode="r")` reads them too.
public struct MemoryBankManifest: Codable, Equatable, Sendable {
    /// One scale's files and counts.
    public struct Scale: Codable, Equatable, Sendable {
        public var scale: PatchScale
        /// Patches stored in the bank.
        public var patches: Int
        /// Patches set aside (not in the bank).
        public var holdout: Int
        /// Patch positions in all images.
        public var candidates: Int
        /// Rows in each shard, in order (they sum to `patches`).
        public var shardRows: [Int]

        /// The fraction of the positions not held out that the bank keeps: 1 without a cap.
        public var keptFraction: Double {
            candidates - holdout > 0 ? Double(patches) / Double(candidates - holdout) : 1
        }

        public func shardFile(_ i: Int) -> String { BankShard.files(scale, i).patches }
        public func shardLocationsFile(_ i: Int) -> String { BankShard.files(scale, i).locations }
        public var meanFile: String { scale.name + ".mean.npy" }
        /// The mean as the bank's source stored it (only banks imported by `authors_bank` have one).
        public var storedMeanFile: String { scale.name + ".stored-mean.npy" }
        public var holdoutFile: String { scale.name + ".holdout.npy" }
        public var holdoutLocationsFile: String { scale.name + ".holdout-locations.npy" }

        static func number(_ i: Int) -> String {
            let digits = String(i)
            return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
        }

        public init(scale: PatchScale, patches: Int, holdout: Int, candidates: Int, shardRows: [Int]) {
            self.scale = scale
            self.patches = patches
            self.holdout = holdout
            self.candidates = candidates
            self.shardRows = shardRows
        }
    }

    public static let fileName = "bank.json"
    /// 1: one float32 matrix per scale (before sharded 8-bit storage).
    public static let currentFormat = 2

    public var format: Int
    /// Source images relative to the folder the bank was cut from, indexed by the locations files.
    public var images: [String]
    public var scales: [Scale]
    public var seed: UInt64
    /// The per-scale cap on bank patches in force when the bank was cut (nil: every patch kept).
    public var cap: Int?
    /// How patches were drawn for the holdout and, under a cap, for the bank.
    public var selection: PatchSelection

    public init(images: [String], scales: [Scale], seed: UInt64, cap: Int?, selection: PatchSelection) {
        self.format = MemoryBankManifest.currentFormat
        self.images = images
        self.scales = scales
        self.seed = seed
        self.cap = cap
        self.selection = selection
    }

    /// The smallest fraction of available patches any scale keeps (1 without a cap).
    public var keptFraction: Double { scales.map(\.keptFraction).min() ?? 1 }

    /// Reads `bank.json` from a bank folder.
    public static func read(from folder: URL) throws -> MemoryBankManifest {
        let url = folder.appendingPathComponent(fileName)
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw BankFileError.io(path: url.path, error.localizedDescription) }
        struct Version: Decodable { var format: Int }
        if let version = try? JSONDecoder().decode(Version.self, from: data), version.format != currentFormat {
            throw BankFileError.malformed(path: url.path, "bank format \(version.format), this build reads \(currentFormat) "
                                          + "(8-bit shards); rebuild the bank with this version's memory_bank")
        }
        return try JSONManifest.decode(MemoryBankManifest.self, from: data, url: url)
    }

    /// Writes `bank.json` into `folder`.
    public func write(to folder: URL) throws {
        try JSONManifest.write(self, to: folder.appendingPathComponent(MemoryBankManifest.fileName))
    }
}
