import NN
import Foundation

/// One shard of a memory bank being built: the patches of a group of consecutive source images at
/// every scale, cut into memory and written as `.npy` files, then committed by its record file
/// (`shard.0000i.json`), written last. A shard whose record exists is complete; one without is
/// cut again, so a build killed at any moment resumes at the shard it reached.
public struct BankShard {
    /// What a committed shard holds, per scale.
    public struct Record: Codable, Equatable, Sendable {
        public struct Scale: Codable, Equatable, Sendable {
            public var rows: Int
            public var holdout: Int
            public var candidates: Int
            /// Per-dimension sums of the bank rows' bytes (exact, for the bank's mean).
            public var byteSums: [UInt64]
        }
        public var index: Int
        public var scales: [Scale]
        /// Source images of this shard that did not decode and were skipped.
        public var skipped: [Int]
    }

    public let index: Int
    public let scales: [PatchScale]
    public let selection: PatchSelection
    private var bank: [[UInt8]]
    private var bankLocations: [[Int32]]
    private var held: [[UInt8]]
    private var heldLocations: [[Int32]]
    private var candidates: [Int]
    private var skipped: [Int] = []

    public init(index: Int, scales: [PatchScale], selection: PatchSelection) {
        self.index = index
        self.scales = scales
        self.selection = selection
        bank = Array(repeating: [], count: scales.count)
        bankLocations = bank.map { _ in [] }
        held = bank
        heldLocations = bankLocations
        candidates = Array(repeating: 0, count: scales.count)
    }

    public static func recordFile(_ index: Int) -> String { "shard." + MemoryBankManifest.Scale.number(index) + ".json" }

    /// Records that source image `image` was skipped.
    public mutating func skip(image: Int) { skipped.append(image) }

    /// Cuts every position of scale `s` from one planar (CHW) 8-bit RGB image, already rescaled; with
    /// `classes` (one per position, `PatchClassRule`), only the positions of class `only`.
    public mutating func add(scale s: Int, planar: UnsafeBufferPointer<UInt8>, width: Int, height: Int, image: Int,
                             classes: [UInt8]? = nil, only: UInt8 = 0) {
        add(scale: s, planar: planar, width: width, height: height, image: image, include: classes.map { c in c.map { $0 == only } })
    }

    /// Cuts the positions of scale `s` whose `include` flag is set (every position without flags)
    /// from one planar (CHW) 8-bit RGB image, already rescaled.
    public mutating func add(scale s: Int, planar: UnsafeBufferPointer<UInt8>, width: Int, height: Int, image: Int, include: [Bool]?) {
        precondition(planar.count == 3 * width * height, "expected a planar RGB image")
        let scale = scales[s], p = scale.patch
        let nx = scale.positions(width), ny = scale.positions(height)
        guard nx > 0, ny > 0 else { return }
        precondition(include == nil || include!.count == nx * ny, "one flag per position")
        for py in 0..<ny {
            for px in 0..<nx {
                if let include, !include[py * nx + px] { continue }
                candidates[s] += 1
                let x = px * scale.stride, y = py * scale.stride
                let fate = selection.fate(scale: s, image: image, x: x, y: y)
                if fate == .dropped { continue }
                func cut(into out: inout [UInt8]) {
                    for c in 0..<3 {
                        let plane = planar.baseAddress! + c * width * height
                        for dy in 0..<p { out.append(contentsOf: UnsafeBufferPointer(start: plane + (y + dy) * width + x, count: p)) }
                    }
                }
                if fate == .holdout {
                    cut(into: &held[s])
                    heldLocations[s].append(Int32(image)); heldLocations[s].append(Int32(x)); heldLocations[s].append(Int32(y))
                } else {
                    cut(into: &bank[s])
                    bankLocations[s].append(Int32(image)); bankLocations[s].append(Int32(x)); bankLocations[s].append(Int32(y))
                }
            }
        }
    }

    /// Writes the shard's files into `folder`, then its record; returns the record.
    public func write(to folder: URL) throws -> Record {
        var records: [Record.Scale] = []
        for (s, scale) in scales.enumerated() {
            let d = scale.dimension
            let files = Self.files(scale, index)
            let rows = bank[s].count / d, heldRows = held[s].count / d
            try NpyFile.write(bank[s], rows: rows, columns: d, to: folder.appendingPathComponent(files.patches))
            try NpyFile.write(bankLocations[s], rows: rows, columns: 3, to: folder.appendingPathComponent(files.locations))
            try NpyFile.write(held[s], rows: heldRows, columns: d, to: folder.appendingPathComponent(files.holdout))
            try NpyFile.write(heldLocations[s], rows: heldRows, columns: 3, to: folder.appendingPathComponent(files.holdoutLocations))
            var sums = [UInt64](repeating: 0, count: d)
            bank[s].withUnsafeBufferPointer { b in
                for r in 0..<rows { for i in 0..<d { sums[i] &+= UInt64(b[r * d + i]) } }
            }
            records.append(Record.Scale(rows: rows, holdout: heldRows, candidates: candidates[s], byteSums: sums))
        }
        let record = Record(index: index, scales: records, skipped: skipped)
        let url = folder.appendingPathComponent(Self.recordFile(index))
        do {
            try JSONEncoder().encode(record).write(to: url, options: .atomic)
        } catch {
            throw BankFileError.io(path: url.path, error.localizedDescription)
        }
        return record
    }

    /// The files of shard `index` at `scale`: its patches and their locations (moved into the bank),
    /// and its held-out patches and theirs (gathered into one matrix per scale when the bank is finished).
    static func files(_ scale: PatchScale, _ index: Int) -> (patches: String, locations: String, holdout: String,
                                                              holdoutLocations: String) {
        let stem = scale.name + "." + MemoryBankManifest.Scale.number(index)
        return (stem + ".npy", stem + ".locations.npy", stem + ".holdout.npy", stem + ".holdout-locations.npy")
    }

    /// The committed record of shard `index` in `folder`, nil when the shard is not complete (no
    /// record, or a file of it missing).
    public static func committed(_ index: Int, in folder: URL, scales: [PatchScale]) -> Record? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(recordFile(index))),
              let record = try? JSONDecoder().decode(Record.self, from: data),
              record.index == index, record.scales.count == scales.count else { return nil }
        for scale in scales {
            let f = files(scale, index)
            for file in [f.patches, f.locations, f.holdout, f.holdoutLocations]
            where !FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path) {
                return nil
            }
        }
        return record
    }
}
