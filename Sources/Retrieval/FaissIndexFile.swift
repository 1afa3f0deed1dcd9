import Basics
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a FAISS index file from outside holds, found by walking its structure (FAISS 1.7.3's
/// `read_index` layout) without FAISS: FAISS's reader trusts every size in the file, so a damaged or
/// hostile file can make it abort or allocate without bound. Only the types PleinAir writes and the
/// authors ship are accepted — Flat, IVF-Flat and IVF-PQ, each optionally behind PCA transforms —
/// and every dimension, count and vector length is checked against the others and against the
/// bytes the file has left, so FAISS then allocates no more than the file's own size.
public struct FaissIndexFile: Equatable, Sendable {
    /// The four-character code of the file's outer index (`IxF2`, `IwFl`, `IwPQ`, `IxPT`…).
    public var type: String
    /// The index type under any transforms (equal to `type` without them).
    public var innerType: String
    /// Length of the vectors the index takes (before any transform).
    public var dimension: Int
    public var count: Int
    /// Inverted lists (0 without IVF), and the lists probed as stored.
    public var lists: Int
    public var probes: Int
    /// Whether the index is trained (an untrained IVF cannot be searched).
    public var isTrained: Bool
    /// The transforms in front of the index, e.g. `["PCA 192→64"]`.
    public var transforms: [String]

    /// The index types accepted, by four-character code.
    public static let acceptedTypes: [String: String] = [
        "IxF2": "Flat (L2)", "IxFI": "Flat (inner product)", "IxFl": "Flat",
        "IwFl": "IVF-Flat", "IwPQ": "IVF-PQ", "IxPT": "transforms in front of an index",
    ]
    /// Names of other FAISS types, for the message that refuses them.
    static let otherTypes: [String: String] = [
        "IHNf": "HNSW-Flat", "IHNp": "HNSW-PQ", "IHNs": "HNSW-SQ", "IHN2": "HNSW 2-level", "IxSQ": "scalar quantizer",
        "IwSQ": "IVF-SQ", "IwSq": "IVF-SQ", "IxPQ": "PQ", "IxPo": "PQ (polysemous)", "IxPq": "PQ", "IvFl": "IVF-Flat (legacy format)",
        "IvFL": "IVF-Flat (legacy format)", "IvPQ": "IVF-PQ (legacy format)", "IvQR": "IVF-PQR (legacy format)", "IwQR": "IVF-PQR",
        "IxHE": "LSH", "IxHe": "LSH", "IxMp": "ID map", "IxM2": "ID map 2", "IxRF": "refine", "Ix2L": "2-level", "IwFd": "IVF-Flat dedup",
        "IwPf": "IVF-PQ fast scan", "IPfs": "PQ fast scan", "IwSh": "IVF spectral hash", "INSf": "NSG", "null": "a missing index",
        "IxRQ": "residual quantizer", "IxRq": "residual quantizer", "IwRQ": "IVF residual quantizer", "IxLa": "lattice",
        "Imiq": "multi-index quantizer",
    ]

    /// Walks the file at `url`.
    public static func check(_ url: URL) throws -> FaissIndexFile {
        let path = url.path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FaissIndexFileError(path: path, offset: 0, "cannot be opened: \(errnoMessage())") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw FaissIndexFileError(path: path, offset: 0, "not a regular file")
        }
        var walker = Walker(path: path, size: Int(info.st_size)) { offset, count in
            var bytes = [UInt8](repeating: 0, count: count)
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            return n == count ? bytes : nil
        }
        return try walker.file()
    }

    /// Walks `data`, an index file's bytes (the fuzz target's entry point); `path` names it in errors.
    public static func check(_ data: Data, path: String) throws -> FaissIndexFile {
        var walker = Walker(path: path, size: data.count) { offset, count in
            let start = data.startIndex + offset
            return [UInt8](data[start..<(start + count)])
        }
        return try walker.file()
    }

    /// The walk: a cursor over the file that never reads past its end or asks for more than is left.
    struct Walker {
        let path: String
        let size: Int
        let fetch: (Int, Int) -> [UInt8]?
        var offset = 0

        init(path: String, size: Int, fetch: @escaping (Int, Int) -> [UInt8]?) {
            self.path = path
            self.size = size
            self.fetch = fetch
        }

        var remaining: Int { size - offset }

        func fail(_ message: String) -> FaissIndexFileError { FaissIndexFileError(path: path, offset: offset, message) }

        mutating func bytes(_ count: Int, _ what: String) throws -> [UInt8] {
            guard count <= remaining else { throw fail("the file ends inside \(what) (\(count) bytes needed, \(remaining) left)") }
            guard let read = fetch(offset, count) else { throw fail("cannot read \(what)") }
            offset += count
            return read
        }

        mutating func integer(_ width: Int, _ what: String) throws -> UInt64 {
            try bytes(width, what).enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * $1.offset) }
        }

        mutating func int32(_ what: String) throws -> Int { Int(Int32(truncatingIfNeeded: try integer(4, what))) }
        /// A 64-bit size or count, refused above 2^48 (no file here is that large).
        mutating func count(_ what: String) throws -> Int {
            let value = try integer(8, what)
            guard value <= 1 << 48 else { throw fail("\(what) is \(Int64(bitPattern: value)), not a plausible size") }
            return Int(value)
        }

        mutating func flag(_ what: String) throws -> Bool {
            let value = try integer(1, what)
            guard value <= 1 else { throw fail("\(what) is \(value), not a boolean") }
            return value == 1
        }

        mutating func fourcc(_ what: String) throws -> String {
            let code = try bytes(4, what)
            return code.allSatisfy({ (0x20...0x7e).contains($0) }) ? String(decoding: code, as: UTF8.self)
                : "0x" + code.reversed().map { String(format: "%02x", $0) }.joined()
        }

        /// A FAISS vector (a 64-bit element count, then the elements), skipped; returns its length.
        mutating func vector(elementSize: Int, _ what: String) throws -> Int {
            let n = try count("the length of \(what)")
            guard n <= remaining / elementSize else {
                throw fail("\(what) claims \(n) elements of \(elementSize) bytes; the file has \(remaining) bytes left")
            }
            offset += n * elementSize
            return n
        }

        /// The whole file: one index, then nothing.
        mutating func file() throws -> FaissIndexFile {
            let summary = try index(depth: 0)
            guard remaining == 0 else { throw fail("\(remaining) bytes follow the end of the index") }
            return summary
        }

        struct Header { var dimension: Int; var count: Int; var trained: Bool }

        /// `read_index_header`: d, ntotal, two unused words, is_trained, metric (L2 or inner product).
        mutating func header(_ type: String) throws -> Header {
            let d = try int32("the dimension of \(type)")
            guard (1...65_536).contains(d) else { throw fail("\(type) has dimension \(d)") }
            let n = try count("the vector count of \(type)")
            _ = try bytes(16, "the header of \(type)")
            let trained = try flag("is_trained of \(type)")
            let metric = try int32("the metric of \(type)")
            // FAISS's MetricType: 0 inner product, 1 L2.
            guard metric == 0 || metric == 1 else { throw fail("\(type) has metric type \(metric) (L2 and inner product are read)") }
            return Header(dimension: d, count: n, trained: trained)
        }

        mutating func index(depth: Int) throws -> FaissIndexFile {
            let at = offset
            let type = try fourcc("the index type")
            guard let name = acceptedTypes[type] else {
                offset = at
                let known = otherTypes[type].map { " (\($0))" } ?? ""
                throw fail("index type '\(type)'\(known) is not read from outside: accepted are Flat, IVF-Flat and IVF-PQ, "
                           + "each optionally behind a PCA")
            }
            switch type {
            case "IxF2", "IxFI", "IxFl":
                let h = try header(type)
                let floats = try vector(elementSize: 4, "the vectors of \(name)")
                let (expected, overflow) = h.count.multipliedReportingOverflow(by: h.dimension)
                guard !overflow, floats == expected else {
                    throw fail("\(name) holds \(floats) floats for \(h.count) vectors of \(h.dimension)")
                }
                return FaissIndexFile(type: type, innerType: type, dimension: h.dimension, count: h.count, lists: 0, probes: 0,
                                      isTrained: h.trained, transforms: [])
            case "IwFl", "IwPQ":
                guard depth <= 1 else { throw fail("\(name) nested inside another index") }
                let h = try header(type)
                let lists = try count("the list count of \(name)")
                guard lists >= 1, lists <= remaining / 8 else { throw fail("\(name) claims \(lists) inverted lists") }
                let probes = try count("nprobe of \(name)")
                let quantizer = try index(depth: 2)
                guard quantizer.innerType.hasPrefix("IxF"), quantizer.dimension == h.dimension,
                      !h.trained || quantizer.count == lists else {
                    throw fail("\(name)'s coarse quantizer is \(quantizer.type) with \(quantizer.count) vectors of \(quantizer.dimension) "
                               + "for \(lists) lists of \(h.dimension)")
                }
                let mapType = try integer(1, "the direct map type of \(name)")
                guard mapType <= 2 else { throw fail("direct map type \(mapType)") }
                _ = try vector(elementSize: 8, "the direct map of \(name)")
                if mapType == 2 { _ = try vector(elementSize: 16, "the direct map table of \(name)") }
                var codeSize = 4 * h.dimension
                if type == "IwPQ" { codeSize = try productQuantizer(dimension: h.dimension) }
                try invertedLists(lists: lists, codeSize: codeSize, count: h.count, name)
                return FaissIndexFile(type: type, innerType: type, dimension: h.dimension, count: h.count, lists: lists, probes: probes,
                                      isTrained: h.trained, transforms: [])
            default:  // IxPT
                guard depth == 0 else { throw fail("transforms nested inside another index") }
                let h = try header(type)
                let n = try int32("the transform count")
                guard (1...4).contains(n) else { throw fail("\(n) transforms in front of the index") }
                var transforms: [String] = [], d = h.dimension
                for _ in 0..<n {
                    let (dIn, dOut, label) = try transform()
                    guard dIn == d else { throw fail("\(label) takes \(dIn) values where \(d) arrive") }
                    d = dOut
                    transforms.append(label)
                }
                var inner = try index(depth: 1)
                guard inner.type != "IxPT", inner.dimension == d, inner.count == h.count else {
                    throw fail("the index behind the transforms is \(inner.type) with \(inner.count) vectors of \(inner.dimension); "
                               + "the transforms give \(d) values and the file claims \(h.count) vectors")
                }
                inner.type = type
                inner.dimension = h.dimension
                inner.transforms = transforms
                inner.isTrained = inner.isTrained && h.trained
                return inner
            }
        }

        /// IVF-PQ's fields after the IVF header: by_residual, code_size and the product quantizer
        /// (d, M, nbits, centroids); returns the code size.
        mutating func productQuantizer(dimension: Int) throws -> Int {
            _ = try flag("by_residual")
            let codeSize = try count("the code size")
            let d = try count("the PQ dimension"), m = try count("the PQ sub-quantizer count"), bits = try count("the PQ bits")
            guard d == dimension, m >= 1, d % m == 0, (1...16).contains(bits), codeSize == (m * bits + 7) / 8 else {
                throw fail("product quantizer of \(m) × \(bits) bits over \(d) values with \(codeSize)-byte codes for \(dimension)-d vectors")
            }
            let centroids = try vector(elementSize: 4, "the PQ centroids")
            guard centroids == d << bits else { throw fail("\(centroids) PQ centroid values for \(d) × 2^\(bits)") }
            return codeSize
        }

        /// `ilar` inverted lists: their sizes ("full" or "sparse"), then each list's codes and ids.
        mutating func invertedLists(lists: Int, codeSize: Int, count: Int, _ name: String) throws {
            let type = try fourcc("the inverted-list type")
            guard type == "ilar" else {
                throw fail(type == "il00" ? "\(name) has no inverted lists stored in the file"
                           : "inverted lists of type '\(type)' (only lists stored in the file, 'ilar', are read)")
            }
            let n = try self.count("the list count"), size = try self.count("the list code size")
            guard n == lists, size == codeSize else { throw fail("inverted lists of \(n) × \(size)-byte codes for \(lists) × \(codeSize)") }
            var sizes = [Int](repeating: 0, count: lists)
            let layout = try fourcc("the list-size layout")
            switch layout {
            case "full":
                guard try self.count("the list-size count") == lists, lists <= remaining / 8 else { throw fail("list sizes do not match \(lists) lists") }
                for l in 0..<lists { sizes[l] = try self.count("the size of list \(l)") }
            case "sprs":
                let entries = try self.count("the sparse list-size count")
                guard entries % 2 == 0, entries <= remaining / 8 else { throw fail("\(entries) sparse list-size entries") }
                for _ in 0..<(entries / 2) {
                    let l = try self.count("a list number"), s = try self.count("a list size")
                    guard l < lists else { throw fail("list \(l) of \(lists)") }
                    sizes[l] = s
                }
            default:
                throw fail("list-size layout '\(layout)'")
            }
            var total = 0
            for (l, s) in sizes.enumerated() where s > 0 {
                let (bytes, overflow) = s.multipliedReportingOverflow(by: codeSize + 8)
                guard !overflow, bytes <= remaining else {
                    throw fail("list \(l) claims \(s) entries of \(codeSize + 8) bytes; the file has \(remaining) bytes left")
                }
                offset += bytes
                total += s
            }
            guard total == count else { throw fail("the inverted lists hold \(total) entries, the index claims \(count)") }
        }

        /// A PCA transform (`PCAm`; `PcAm` adds balanced_bins, an int; `Pcam`, which FAISS 1.7.3 writes, also
        /// an epsilon after the eigen power): returns its input and output lengths and a label.
        mutating func transform() throws -> (Int, Int, String) {
            let at = offset
            let type = try fourcc("the transform type")
            guard ["PCAm", "PcAm", "Pcam"].contains(type) else {
                offset = at
                throw fail("transform '\(type)' is not read from outside (PCA only)")
            }
            _ = try bytes(type == "Pcam" ? 8 : 4, "the PCA's eigen power")
            _ = try flag("the PCA's random rotation")
            if type != "PCAm" { _ = try bytes(4, "the PCA's balanced bins") }
            let mean = try vector(elementSize: 4, "the PCA mean")
            _ = try vector(elementSize: 4, "the PCA eigenvalues")
            _ = try vector(elementSize: 4, "the PCA matrix")
            let bias = try flag("the transform's have_bias")
            let a = try vector(elementSize: 4, "the transform matrix")
            let b = try vector(elementSize: 4, "the transform bias")
            let dIn = try int32("the transform's input length"), dOut = try int32("the transform's output length")
            _ = try flag("the transform's is_trained")
            guard (1...65_536).contains(dIn), (1...dIn).contains(dOut), a == dIn * dOut, !bias || b == dOut, mean == 0 || mean == dIn else {
                throw fail("PCA \(dIn)→\(dOut) with a \(a)-value matrix, \(b)-value bias and \(mean)-value mean")
            }
            return (dIn, dOut, "PCA \(dIn)→\(dOut)")
        }
    }
}

/// A FAISS index file refused before FAISS reads it, with the file and the byte offset at fault.
public struct FaissIndexFileError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var offset: Int
    public var message: String

    public init(path: String, offset: Int, _ message: String) {
        self.path = path
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(path): not a FAISS index PleinAir reads (at byte \(offset)): \(message)" }
}
