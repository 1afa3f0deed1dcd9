import NN
import Foundation

/// Converts one semantic class of the authors' `data_for_patch_retrieval` folder (aimagelab/art2real)
/// into a PleinAir bank (format 2) and index folder, losslessly or not at all.
///
/// Per patch size P the authors have `patch_size_P/memory_bank_patches_binary/<class>.bin` (raw
/// float32 rows of 3·P·P values in [0, 1], channel-major like PleinAir's rows), `means/<class>.npy`
/// and `faiss_indexes/<class>.index` (row i of the `.bin` is id i). Each float must be an 8-bit
/// value k/255 (within 1e-4); it becomes the byte k, which PleinAir reads as k·2/255 − 1, the
/// authors' `(v − 0.5)·2`. The `.bin` is read in batches of `rowsPerShard` rows, one bank shard
/// each, so a file of several GB never sits in memory.
///
/// What the authors' files do not record is filled in plainly: the extraction stride (the scale
/// names carry the stride given), the source images and positions (locations are −1), and a holdout
/// (none: every patch is in the bank, so `ann_index`-style recall cannot be measured on it).
public struct AuthorsBankImport: Sendable {
    /// What one scale's import found.
    public struct ScaleReport: Codable, Equatable, Sendable {
        public var scale: PatchScale
        public var rows: Int
        /// The authors' patch file read.
        public var source: String
        /// The FAISS index type (from the file's four-character code) and the factory string recorded.
        public var indexType: String
        public var factory: String
        /// IVF lists probed as stored in the file (0 without IVF).
        public var nprobe: Int
        /// The units the authors' mean file matched best: `[-1,1]` or `[0,1]`.
        public var meanUnits: String
        /// Largest |authors' mean − exact mean of the imported rows|, both in [−1, 1] units.
        public var meanDifference: Double
        /// Mean squared distance FAISS reports between sampled bank rows and their nearest vector in
        /// the authors' index, in the index's units: 0 when it holds exactly the bank's rows.
        public var selfDistance: Double
        /// The units of the index's vectors: `[-1,1]` (the bank's rows as PleinAir reads them) or
        /// `[0,1]` (the authors' `.bin` rows; searched by FAISS itself, as the authors search it).
        public var indexUnits: String?
    }

    /// `authors_bank.json`, written into the bank folder: where the bank came from.
    public struct Provenance: Codable, Equatable, Sendable {
        public static let fileName = "authors_bank.json"
        public var source: String
        public var classID: Int
        public var scales: [ScaleReport]

        public init(source: String, classID: Int, scales: [ScaleReport]) {
            self.source = source
            self.classID = classID
            self.scales = scales
        }
    }

    public let source: URL
    public let classID: Int
    public let scales: [PatchScale]
    public let rowsPerShard: Int

    /// Values further than this from k/255 mean the bank is not 8-bit data.
    public static let tolerance: Float = 1e-4

    public init(source: URL, classID: Int, scales: [PatchScale], rowsPerShard: Int = 65_536) {
        precondition(rowsPerShard > 0, "a shard holds at least one row")
        self.source = source
        self.classID = classID
        self.scales = scales
        self.rowsPerShard = rowsPerShard
    }

    /// The class ids of the authors' folder `source`: the `<class>.bin` files of the first scale's
    /// patch folder (every scale must have the same; the import of a class fails naming a missing file).
    public static func classIDs(in source: URL, scales: [PatchScale]) throws -> [Int] {
        guard let first = scales.first else { return [] }
        let folder = source.appendingPathComponent("patch_size_\(first.patch)/memory_bank_patches_binary")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
            throw AuthorsBankError.missing(path: folder.path, "no folder of class patch files")
        }
        let ids = names.compactMap { name -> Int? in
            name.hasSuffix(".bin") ? Int(name.dropLast(4)) : nil
        }.filter { $0 >= 0 }.sorted()
        guard ids.contains(0) else {
            throw AuthorsBankError.missing(path: folder.appendingPathComponent("0.bin").path,
                                           "class 0 (the background bank every other class falls back to) has no file here")
        }
        return ids
    }

    /// `patch_size_P` of the authors' folder.
    public func folder(_ scale: PatchScale) -> URL { source.appendingPathComponent("patch_size_\(scale.patch)") }
    /// The class's patch file at `scale`.
    public func patchFile(_ scale: PatchScale) -> URL {
        folder(scale).appendingPathComponent("memory_bank_patches_binary/\(classID).bin")
    }
    /// The class's mean file at `scale`.
    public func meanFile(_ scale: PatchScale) -> URL { folder(scale).appendingPathComponent("means/\(classID).npy") }
    /// The class's FAISS index at `scale`.
    public func indexFile(_ scale: PatchScale) -> URL { folder(scale).appendingPathComponent("faiss_indexes/\(classID).index") }

    /// Checks every file the import needs exists and every `.bin` holds whole rows; returns the row counts.
    public func rowCounts() throws -> [Int] {
        try scales.map { scale in
            guard FileManager.default.fileExists(atPath: folder(scale).path) else {
                throw AuthorsBankError.missing(path: folder(scale).path, "no folder for patch size \(scale.patch)")
            }
            for file in [patchFile(scale), meanFile(scale), indexFile(scale)]
            where !FileManager.default.fileExists(atPath: file.path) {
                throw AuthorsBankError.missing(path: file.path, "class \(classID) has no file here")
            }
            let path = patchFile(scale).path
            let bytes = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? -1
            let rowBytes = 4 * scale.dimension
            guard bytes > 0, bytes % rowBytes == 0 else {
                throw AuthorsBankError.size(path: path, "\(bytes) bytes is not a whole number of \(scale.patch)×\(scale.patch)×3 "
                                            + "float32 rows (\(rowBytes) bytes each)")
            }
            return bytes / rowBytes
        }
    }

    /// Converts the patches of every scale into a bank in `out`; `checkpoint` runs between batches.
    public func importBank(into out: URL, checkpoint: () throws -> Void = {}) throws -> (MemoryBankManifest, [ScaleReport]) {
        let counts = try rowCounts()
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var entries: [MemoryBankManifest.Scale] = [], reports: [ScaleReport] = []
        for (scale, rows) in zip(scales, counts) {
            let d = scale.dimension
            let file = patchFile(scale)
            guard let handle = FileHandle(forReadingAtPath: file.path) else {
                throw AuthorsBankError.missing(path: file.path, "cannot be opened")
            }
            defer { try? handle.close() }
            var entry = MemoryBankManifest.Scale(scale: scale, patches: rows, holdout: 0, candidates: rows, shardRows: [])
            var sums = [UInt64](repeating: 0, count: d)
            var row = 0
            while row < rows {
                try checkpoint()
                let n = min(rowsPerShard, rows - row)
                let data: Data
                do { data = try handle.read(upToCount: n * d * 4) ?? Data() } catch {
                    throw AuthorsBankError.size(path: file.path, "reading rows \(row)..<\(row + n): \(error.localizedDescription)")
                }
                guard data.count == n * d * 4 else {
                    throw AuthorsBankError.size(path: file.path, "ended at row \(row + data.count / (4 * d)) of \(rows)")
                }
                let bytes = try Self.eightBit(data, firstRow: row, dimension: d, file: file.path, sums: &sums)
                let shard = entry.shardRows.count
                try NpyFile.write(bytes, rows: n, columns: d, to: out.appendingPathComponent(entry.shardFile(shard)))
                try NpyFile.write([Int32](repeating: -1, count: 3 * n), rows: n, columns: 3,
                                  to: out.appendingPathComponent(entry.shardLocationsFile(shard)))
                entry.shardRows.append(n)
                row += n
            }
            // Exact mean of the rows as PleinAir reads them, Σ(b·2/255 − 1)/n, as memory_bank computes it.
            let mean = sums.map { Float(Double($0) * (2.0 / 255.0) / Double(rows) - 1) }
            try NpyFile.write(mean, rows: 1, columns: d, to: out.appendingPathComponent(entry.meanFile))
            try NpyFile.write([UInt8](), rows: 0, columns: d, to: out.appendingPathComponent(entry.holdoutFile))
            try NpyFile.write([Int32](), rows: 0, columns: 3, to: out.appendingPathComponent(entry.holdoutLocationsFile))
            let authors = try AuthorsMean.read(meanFile(scale), dimension: d)
            let (units, difference) = AuthorsMean.compare(authors, with: mean)
            // Kept as stored: `train` under class_terms authors subtracts it, as the authors' code does.
            try NpyFile.write(authors.map { Float($0) }, rows: 1, columns: d, to: out.appendingPathComponent(entry.storedMeanFile))
            entries.append(entry)
            reports.append(ScaleReport(scale: scale, rows: rows, source: file.path, indexType: "", factory: "", nprobe: 0,
                                       meanUnits: units, meanDifference: difference, selfDistance: 0, indexUnits: nil))
        }
        let selection = PatchSelection(holdoutRates: scales.map { _ in 0 }, keepRates: scales.map { _ in 1 }, seed: 0)
        let manifest = MemoryBankManifest(images: [], scales: entries, seed: 0, cap: nil, selection: selection)
        try manifest.write(to: out)
        return (manifest, reports)
    }

    /// Maps `data` (float32 rows) to bytes, failing on the first value that is not k/255.
    static func eightBit(_ data: Data, firstRow: Int, dimension d: Int, file: String, sums: inout [UInt64]) throws -> [UInt8] {
        let count = data.count / 4
        var out = [UInt8](repeating: 0, count: count)
        var bad: (index: Int, value: Float)?
        data.withUnsafeBytes { raw in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<count {
                    let v = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    let k = (v * 255).rounded()
                    guard k >= 0, k <= 255, abs(v - k / 255) <= tolerance else { bad = (i, v); return }
                    o[i] = UInt8(k)
                    sums[i % d] &+= UInt64(o[i])
                }
            }
        }
        if let bad {
            throw AuthorsBankError.notEightBit(path: file, row: firstRow + bad.index / d, column: bad.index % d, value: bad.value)
        }
        return out
    }

    /// Copies each scale's authors' index verbatim into `out` as `<scale>.faiss` and writes
    /// `index.json`; finds whether each index holds `bank`'s rows as PleinAir reads them ([−1, 1])
    /// or the authors' `.bin` rows ([0, 1]). The authors query either with [−1, 1] generator
    /// output; an index in [0, 1] units is marked (`unitVectors`) so the loss lets FAISS search it
    /// that way too, instead of scanning the bank's [−1, 1] rows. Every scale must agree.
    public func importIndexes(bank: MemoryBank, reports: [ScaleReport], shortlist: Int, into out: URL) throws
        -> (PatchIndexManifest, [ScaleReport]) {
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var reports = reports
        for (s, scale) in bank.scales.enumerated() {
            let file = indexFile(scale.scale)
            let index: ANNIndex
            do { index = try ANNIndex.read(from: file) } catch {
                throw AuthorsBankError.index(path: file.path, "\(error)")
            }
            guard index.dimension == scale.scale.dimension, index.count == scale.patches.rows else {
                throw AuthorsBankError.index(path: file.path, "holds \(index.count) vectors of \(index.dimension) values; "
                                             + "\(patchFile(scale.scale).path) has \(scale.patches.rows) rows of \(scale.scale.dimension)")
            }
            let type = try Self.indexType(file)
            reports[s].indexType = type
            reports[s].factory = Self.factory(type: type, index: index)
            reports[s].nprobe = index.probes
            let (distance, unit) = try Self.checkSpace(index, scale.patches)
            reports[s].selfDistance = distance
            reports[s].indexUnits = unit ? "[0,1]" : "[-1,1]"
            if s > 0, reports[s].indexUnits != reports[0].indexUnits {
                throw AuthorsBankError.index(path: file.path, "holds vectors in \(reports[s].indexUnits!) units but "
                                             + "\(indexFile(bank.scales[0].scale).path) in \(reports[0].indexUnits!); one loss cannot search both")
            }
            let target = out.appendingPathComponent(PatchIndexManifest.indexFile(scale.scale.name))
            try? FileManager.default.removeItem(at: target)
            do { try FileManager.default.copyItem(at: file, to: target) } catch {
                throw AuthorsBankError.index(path: file.path, "copying to \(target.path): \(error.localizedDescription)")
            }
        }
        // nprobe as stored (the same in every file, else the largest); efSearch 0 leaves each file's own.
        var manifest = PatchIndexManifest(factory: "imported", factories: reports.map(\.factory), nprobe: reports.map(\.nprobe).max() ?? 0,
                                          efSearch: 0, shortlist: shortlist, scales: bank.scales.map(\.scale.name))
        if reports.first?.indexUnits == "[0,1]" { manifest.unitVectors = true }
        try manifest.write(to: out)
        return (manifest, reports)
    }

    /// FAISS's four-character code at the start of an index file (`IxF2`: Flat L2, `IwFl`: IVF-Flat…).
    static func indexType(_ file: URL) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: file.path), let head = try? handle.read(upToCount: 4), head.count == 4 else {
            throw AuthorsBankError.index(path: file.path, "cannot read its first 4 bytes")
        }
        try? handle.close()
        return String(decoding: head, as: UTF8.self)
    }

    /// The factory string an index of FAISS type `type` would be built from, where one is known.
    static func factory(type: String, index: ANNIndex) -> String {
        switch type {
        case "IxF2": return "Flat"
        case "IwFl": return "IVF\(index.invertedLists),Flat"
        case "IHNf": return "HNSW,Flat (imported)"
        default:
            return index.invertedLists > 0 ? "imported \(type): IVF\(index.invertedLists), \(index.codeSize)-byte codes" : "imported \(type)"
        }
    }

    /// Searches the index with up to 16 bank rows in [−1, 1] and in [0, 1]: the mean squared
    /// distance to the nearer, and whether that is the [0, 1] rows (the authors' `.bin` units).
    static func checkSpace(_ index: ANNIndex, _ patches: PatchMatrix) throws -> (distance: Double, unitVectors: Bool) {
        let n = min(16, patches.rows)
        let ids = (0..<n).map { $0 * patches.rows / n }
        let minusOne = patches.gather(ids)
        let unit = minusOne.map { ($0 + 1) / 2 }
        let near = try minusOne.withUnsafeBufferPointer { try index.search($0.baseAddress!, count: n, k: 1, threads: 1) }
        let far = try unit.withUnsafeBufferPointer { try index.search($0.baseAddress!, count: n, k: 1, threads: 1) }
        let inBank = near.distances.reduce(0) { $0 + Double($1) } / Double(n)
        let inUnit = far.distances.reduce(0) { $0 + Double($1) } / Double(n)
        return inBank <= inUnit ? (inBank, false) : (inUnit, true)
    }
}

/// Reading the authors' mean patch files (`means/<class>.npy`: float32 or float64, shape (d,) or (1, d)).
enum AuthorsMean {
    static func read(_ url: URL, dimension d: Int) throws -> [Double] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw AuthorsBankError.missing(path: url.path, error.localizedDescription) }
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, bytes[1...5].elementsEqual("NUMPY".utf8) else {
            throw AuthorsBankError.mean(path: url.path, "not a .npy file")
        }
        let (length, start) = bytes[6] == 1 ? (Int(bytes[8]) | Int(bytes[9]) << 8, 10)
            : (Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24, 12)
        guard start + length <= bytes.count else { throw AuthorsBankError.mean(path: url.path, "header runs past the end") }
        let header = String(decoding: bytes[start..<(start + length)], as: UTF8.self)
        let body = Array(bytes[(start + length)...])
        guard !header.contains("'fortran_order': True") else {
            throw AuthorsBankError.mean(path: url.path, "Fortran order is not supported")
        }
        let values: [Double]
        if header.contains("'<f4'") {
            values = stride(from: 0, to: body.count - 3, by: 4).map { i in
                Double(Float(bitPattern: UInt32(body[i]) | UInt32(body[i + 1]) << 8 | UInt32(body[i + 2]) << 16 | UInt32(body[i + 3]) << 24))
            }
        } else if header.contains("'<f8'") {
            values = stride(from: 0, to: body.count - 7, by: 8).map { i in
                Double(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(body[i + $1]) << (8 * $1) })
            }
        } else {
            throw AuthorsBankError.mean(path: url.path, "expected float32 or float64 values, header \(header)")
        }
        guard values.count == d else {
            throw AuthorsBankError.mean(path: url.path, "holds \(values.count) values, the patches have \(d) (header \(header))")
        }
        return values
    }

    /// Which units the authors' mean is in, and its largest difference from `ours` ([−1, 1]) in those units.
    static func compare(_ authors: [Double], with ours: [Float]) -> (units: String, difference: Double) {
        let asIs = zip(authors, ours).map { abs($0 - Double($1)) }.max() ?? 0
        let fromUnit = zip(authors, ours).map { abs(($0 - 0.5) * 2 - Double($1)) }.max() ?? 0
        return asIs <= fromUnit ? ("[-1,1]", asIs) : ("[0,1]", fromUnit)
    }
}

/// Why the authors' folder could not be imported, with the file at fault.
public enum AuthorsBankError: Error, Equatable, CustomStringConvertible {
    case missing(path: String, String)
    case size(path: String, String)
    case notEightBit(path: String, row: Int, column: Int, value: Float)
    case mean(path: String, String)
    case index(path: String, String)

    public var description: String {
        switch self {
        case .missing(let path, let why): return "\(path): missing: \(why)"
        case .size(let path, let why): return "\(path): \(why)"
        case .notEightBit(let path, let row, let column, let value):
            return "\(path): row \(row), value \(column) is \(value), not an 8-bit value k/255 (within \(AuthorsBankImport.tolerance)); "
                + "the bank would not import losslessly"
        case .mean(let path, let why): return "\(path): mean patch: \(why)"
        case .index(let path, let why): return "\(path): FAISS index: \(why)"
        }
    }
}
