import Basics
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One row-major matrix stored as several `.npy` files of the same column count (shards), each
/// mapped, not loaded: row `i` of the whole is row `i − start` of the shard holding it. A bank too
/// large for one write is cut into shards as it is built, and read back as one matrix.
///
/// Two ways in: `row(_:)` points into the mapping (for the few rows a step uses), while `read`
/// copies rows with `pread`, through the page cache but without mapping them into this process.
/// Bulk passes (filling an index, exact search over a whole bank) and scattered shortlists use
/// `read`, so a pass over a bank of many gigabytes does not count those gigabytes as this process's
/// resident memory (mapped file pages do count until the kernel drops them).
public final class ShardedMatrix<T: NpyElement>: @unchecked Sendable {
    public let shards: [MappedMatrix<T>]
    private let descriptors: [Int32]
    private let files: [URL]
    /// First global row of each shard, plus the total row count at the end.
    private let starts: [Int]
    public let columns: Int
    public var rows: Int { starts[starts.count - 1] }

    /// Maps `files` in order; they must share one column count (`columns` when there are none).
    public init(files: [URL], columns: Int) throws {
        let mapped = try files.map { try MappedMatrix<T>(contentsOf: $0) }
        for (url, m) in zip(files, mapped) where m.columns != columns {
            throw BankFileError.malformed(path: url.path, "\(m.columns) columns, expected \(columns)")
        }
        shards = mapped
        self.files = files
        var fds: [Int32] = []
        for url in files {
            let fd = open(url.path, O_RDONLY)
            guard fd >= 0 else {
                fds.forEach { close($0) }
                throw BankFileError.io(path: url.path, errnoMessage())
            }
            fds.append(fd)
        }
        descriptors = fds
        self.columns = columns
        var s = [0]
        for m in mapped { s.append(s[s.count - 1] + m.rows) }
        starts = s
    }

    deinit { descriptors.forEach { close($0) } }

    /// The shard holding global row `i` and the row's index inside it.
    @inline(__always)
    public func locate(_ i: Int) -> (shard: Int, row: Int) {
        precondition(i >= 0 && i < rows, "row \(i) of \(rows)")
        if shards.count == 1 { return (0, i) }
        // The last shard start at or before i.
        var low = 0, high = shards.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if starts[mid] <= i { low = mid } else { high = mid - 1 }
        }
        return (low, i - starts[low])
    }

    /// Global row `i`, valid only while this matrix is alive (it points into a mapping).
    public func row(_ i: Int) -> UnsafeBufferPointer<T> {
        let (s, r) = locate(i)
        return UnsafeBufferPointer(start: shards[s].base + r * columns, count: columns)
    }

    /// Calls `body` with consecutive runs of whole rows covering `range`, each contiguous in one shard:
    /// (first global row of the run, its elements, rows in it).
    public func forEachRun(in range: Range<Int>, _ body: (Int, UnsafePointer<T>, Int) throws -> Void) rethrows {
        var i = range.lowerBound
        while i < range.upperBound {
            let (s, r) = locate(i)
            let n = min(range.upperBound - i, shards[s].rows - r)
            try body(i, shards[s].base + r * columns, n)
            i += n
        }
    }

    /// Copies rows `range` into `out` (row-major) with `pread`.
    public func read(_ range: Range<Int>, into out: UnsafeMutablePointer<T>) throws {
        var i = range.lowerBound
        while i < range.upperBound {
            let (s, r) = locate(i)
            let n = min(range.upperBound - i, shards[s].rows - r)
            try readBytes(shard: s, row: r, count: n, into: UnsafeMutableRawPointer(out + (i - range.lowerBound) * columns))
            i += n
        }
    }

    /// Copies row `i` into `out` with `pread`.
    @inline(__always)
    public func read(row i: Int, into out: UnsafeMutablePointer<T>) throws {
        let (s, r) = locate(i)
        try readBytes(shard: s, row: r, count: 1, into: UnsafeMutableRawPointer(out))
    }

    private func readBytes(shard s: Int, row r: Int, count n: Int, into out: UnsafeMutableRawPointer) throws {
        let rowBytes = columns * MemoryLayout<T>.stride
        var done = 0
        let total = n * rowBytes
        let start = shards[s].dataOffset + r * rowBytes
        while done < total {
            let got = pread(descriptors[s], out + done, total - done, off_t(start + done))
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else {
                throw BankFileError.io(path: files[s].path, got == 0 ? "file ends early" : errnoMessage())
            }
            done += got
        }
    }
}
