import CFaissShim
import Foundation

/// A FAISS index (one per patch scale) behind the C shim: built from an index-factory string,
/// trained, filled, searched, written to and read from files.
///
/// Searches only read the index, so one index may be searched from several threads; building
/// (train, add, setParameter) must not overlap with anything else.
public final class ANNIndex: @unchecked Sendable {
    /// The distance FAISS ranks by.
    public enum Metric: Int32, Sendable { case l2 = 0, innerProduct = 1 }

    private let handle: OpaquePointer

    private init(handle: OpaquePointer) { self.handle = handle }

    /// An empty index for `dimension`-long vectors from a FAISS index-factory string (`Flat`, `IVF1024,Flat`, `HNSW32`…).
    public convenience init(dimension: Int, factory: String, metric: Metric = .l2) throws {
        precondition(dimension > 0, "index dimension must be positive")
        var out: OpaquePointer?
        try ANNIndex.check("build index '\(factory)' for \(dimension)-d vectors") { error, capacity in
            pa_faiss_index_factory(Int32(dimension), factory, metric.rawValue, &out, error, capacity)
        }
        self.init(handle: out!)
    }

    /// Reads an index written by `write(to:)`; `mapped` maps IVF lists from the file instead of loading them.
    public static func read(from url: URL, mapped: Bool = false) throws -> ANNIndex {
        var out: OpaquePointer?
        try check("read index \(url.path)") { error, capacity in
            pa_faiss_read(url.path, mapped ? 1 : 0, &out, error, capacity)
        }
        return ANNIndex(handle: out!)
    }

    deinit { pa_faiss_free(handle) }

    /// Number of stored vectors.
    public var count: Int { Int(pa_faiss_count(handle)) }
    /// Length of every vector.
    public var dimension: Int { Int(pa_faiss_dimension(handle)) }
    /// Whether `train` has run (or the index type needs none).
    public var isTrained: Bool { pa_faiss_is_trained(handle) != 0 }
    /// Whether this is a plain exact L2 index (factory string `Flat`), which stores the vectors as added.
    public var isExactL2: Bool { pa_faiss_is_flat_l2(handle) != 0 }
    /// Inverted lists of the IVF index inside, 0 for other index types.
    public var invertedLists: Int { Int(pa_faiss_ivf_lists(handle)) }

    /// Bytes per stored vector of the IVF index inside (4 × dimension for IVF-Flat), 0 for other index types.
    public var codeSize: Int { Int(pa_faiss_ivf_code_size(handle)) }
    /// Whether the IVF index inside stores the vectors themselves (IVF-Flat), not compressed codes.
    public var isInvertedFlat: Bool { invertedLists > 0 && codeSize == 4 * dimension }

    /// Which scan searches an IVF-PQ index's lists (`CFaissShim/PQTableScanner.cpp`).
    public enum ListScan: Sendable, Equatable {
        /// PleinAir's: FAISS's tables, sums, order and heap, so FAISS's neighbours and distances bit for
        /// bit, with codes that cannot enter the heap ruled out by an 8-bit lower bound first.
        case pleinAir
        /// FAISS's own (the index is IVF-PQ, but a layout the fast scan does not reproduce, or it was turned off).
        case faiss
        /// Not an IVF-PQ index: FAISS searches it as it is.
        case notInvertedPQ
    }

    /// The list scan of an index read with `read(from:)` (PleinAir's where it applies); `false`
    /// turns PleinAir's off, for comparisons.
    @discardableResult
    public func useFastListScan(_ on: Bool) -> ListScan {
        switch pa_faiss_set_fast_scan(handle, on ? 1 : 0) {
        case 1: return on ? .pleinAir : .faiss
        case 0: return .faiss
        default: return .notInvertedPQ
        }
    }

    /// Whether this CPU filters sixty-four codes at a time in PleinAir's list scan (AVX-512 BW and VBMI);
    /// without it the scan sums every code, one after another, with the same results.
    public static var fastListScanVectorised: Bool { pa_faiss_fast_scan_vectorised() != 0 }

    /// Sets the k-means iterations of IVF training (FAISS's default is 25).
    public func setKMeansIterations(_ iterations: Int) throws {
        try ANNIndex.check("set k-means iterations to \(iterations)") { error, capacity in
            pa_faiss_set_kmeans_iterations(handle, Int32(iterations), error, capacity)
        }
    }

    /// IVF lists probed per query, 0 for other index types.
    public var probes: Int { Int(pa_faiss_ivf_nprobe(handle)) }

    /// The coarse centroids [lists, dimension] and each list's ids, for an index that is itself IVF.
    public func invertedFile() throws -> (centroids: [Float], lists: [[Int]]) {
        let n = invertedLists, d = dimension
        var centroids = [Float](repeating: 0, count: n * d)
        try centroids.withUnsafeMutableBufferPointer { c in
            try ANNIndex.check("read the IVF centroids") { error, capacity in
                pa_faiss_ivf_centroids(handle, c.baseAddress, error, capacity)
            }
        }
        let lists = try (0..<n).map { l -> [Int] in
            let size = Int(pa_faiss_ivf_list_size(handle, Int64(l)))
            var ids = [Int64](repeating: 0, count: max(size, 0))
            try ids.withUnsafeMutableBufferPointer { out in
                try ANNIndex.check("read IVF list \(l)") { error, capacity in
                    pa_faiss_ivf_list_ids(handle, Int64(l), out.baseAddress, error, capacity)
                }
            }
            return ids.map { Int($0) }
        }
        return (centroids, lists)
    }

    /// Trains on `count` row-major vectors (clustering for IVF; nothing for Flat or HNSW).
    public func train(_ vectors: UnsafePointer<Float>, count: Int, threads: Int = 0) throws {
        try ANNIndex.check("train on \(count) vectors") { error, capacity in
            pa_faiss_train(handle, Int64(count), vectors, Int32(threads), error, capacity)
        }
    }

    /// Appends `count` row-major vectors; their labels continue from `self.count`.
    public func add(_ vectors: UnsafePointer<Float>, count: Int, threads: Int = 0) throws {
        try ANNIndex.check("add \(count) vectors") { error, capacity in
            pa_faiss_add(handle, Int64(count), vectors, Int32(threads), error, capacity)
        }
    }

    /// Sets a search-time parameter by FAISS's name for it (`nprobe`, `efSearch`).
    public func setParameter(_ name: String, _ value: Double) throws {
        try ANNIndex.check("set \(name) = \(value)") { error, capacity in
            pa_faiss_set_parameter(handle, name, value, error, capacity)
        }
    }

    /// The `k` nearest stored vectors of each of `count` row-major queries.
    public func search(_ queries: UnsafePointer<Float>, count: Int, k: Int, threads: Int = 0) throws -> Neighbors {
        precondition(k > 0, "k must be positive")
        var distances = [Float](repeating: 0, count: count * k)
        var labels = [Int64](repeating: -1, count: count * k)
        try distances.withUnsafeMutableBufferPointer { d in
            try labels.withUnsafeMutableBufferPointer { l in
                try ANNIndex.check("search \(count) queries for k = \(k)") { error, capacity in
                    pa_faiss_search(handle, Int64(count), queries, Int64(k), Int32(threads), d.baseAddress, l.baseAddress,
                                    error, capacity)
                }
            }
        }
        return Neighbors(k: k, labels: labels.map { Int($0) }, distances: distances)
    }

    /// Writes the index (with its trained state and vectors) to `url`.
    public func write(to url: URL) throws {
        try ANNIndex.check("write index to \(url.path)") { error, capacity in
            pa_faiss_write(handle, url.path, error, capacity)
        }
    }

    private static func check(_ operation: @autoclosure () -> String,
                              _ call: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
        var buffer = [CChar](repeating: 0, count: 1024)
        let code = buffer.withUnsafeMutableBufferPointer { call($0.baseAddress!, $0.count) }
        guard code == 0 else {
            throw FaissError(operation: operation(), code: code, message: String(cString: buffer))
        }
    }
}

/// The result of a k-nearest-neighbour search: row-major `[queries, k]`, best first; label −1 where
/// the index found fewer than k.
public struct Neighbors: Sendable, Equatable {
    public var k: Int
    public var labels: [Int]
    public var distances: [Float]

    public init(k: Int, labels: [Int], distances: [Float]) {
        self.k = k
        self.labels = labels
        self.distances = distances
    }

    /// Number of queries.
    public var queryCount: Int { k == 0 ? 0 : labels.count / k }

    /// Labels of query `q`, best first.
    public func labels(of q: Int) -> ArraySlice<Int> { labels[(q * k)..<((q + 1) * k)] }
}
