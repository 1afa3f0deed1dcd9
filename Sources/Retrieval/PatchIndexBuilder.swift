import NN
import Basics
import Foundation

/// Builds one scale's FAISS index over a bank in bounded memory and resumably: trains on a seeded
/// sample of rows, then adds the rows in batches read from the bank's shards. In `work` it keeps the
/// trained empty index and, every `checkpointSeconds`, the index filled so far with its row count,
/// so an interrupted build resumes at the batch it reached.
public struct PatchIndexBuilder {
    public let factory: String
    /// Rows the index trains on (all rows when the bank has fewer).
    public let trainSize: Int
    public let seed: UInt64
    public let threads: Int
    /// Rows converted and added per batch.
    public let batchRows: Int
    public let checkpointSeconds: Double
    /// k-means iterations of the IVF training (nil: FAISS's default, 25).
    public let kmeansIterations: Int?

    public init(factory: String, trainSize: Int, seed: UInt64, threads: Int, kmeansIterations: Int? = nil, batchRows: Int = 65_536,
                checkpointSeconds: Double = 120) {
        self.factory = factory
        self.kmeansIterations = kmeansIterations
        self.trainSize = trainSize
        self.seed = seed
        self.threads = threads
        self.batchRows = batchRows
        self.checkpointSeconds = checkpointSeconds
    }

    /// What happened while building, for the stage's log and metrics.
    public struct Report: Sendable {
        public var trainSeconds = 0.0
        public var addSeconds = 0.0
        /// Rows found already added by an earlier attempt.
        public var resumedRows = 0
        public var trainedRows = 0
    }

    /// The index over every row of `bank`, named `name` in `work`. `progress` gets the fraction of
    /// rows added; `checkpoint` is called between batches (throw to stop).
    public func build(_ bank: PatchMatrix, name: String, work: URL, progress: (Double) -> Void = { _ in },
                      log: (String) -> Void = { _ in }, checkpoint: () throws -> Void = {}) throws -> (ANNIndex, Report) {
        let trained = work.appendingPathComponent(name + ".trained.faiss")
        let partial = work.appendingPathComponent(name + ".partial.faiss")
        let partialRows = work.appendingPathComponent(name + ".partial.rows")
        var report = Report()
        var index: ANNIndex
        var added = 0
        if let rows = (try? String(contentsOf: partialRows, encoding: .utf8)).flatMap({ Int($0) }),
           let saved = try? ANNIndex.read(from: partial), saved.count == rows, rows <= bank.rows {
            index = saved
            added = rows
            report.resumedRows = rows
        } else if let saved = try? ANNIndex.read(from: trained), saved.isTrained, saved.count == 0 {
            index = saved
        } else {
            index = try ANNIndex(dimension: bank.columns, factory: factory)
            if let kmeansIterations, index.invertedLists > 0 { try index.setKMeansIterations(kmeansIterations) }
            if !index.isTrained {
                let start = DispatchTime.now().uptimeNanoseconds
                let sample = sampleRows(bank.rows)
                var vectors = [Float](repeating: 0, count: sample.count * bank.columns)
                try vectors.withUnsafeMutableBufferPointer { try bank.readRows(sample, into: $0.baseAddress!) }
                try index.train(vectors, count: sample.count, threads: threads)
                report.trainedRows = sample.count
                report.trainSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                log(String(format: "%@: %@ trained on %d patches in %.1f s", name, factory, sample.count, report.trainSeconds))
            }
            try index.write(to: trained)
        }
        let start = DispatchTime.now().uptimeNanoseconds
        var lastSave = start
        while added < bank.rows {
            try checkpoint()
            let n = min(batchRows, bank.rows - added)
            let vectors = try bank.floats(added..<(added + n))
            try index.add(vectors, count: n, threads: threads)
            added += n
            progress(Double(added) / Double(bank.rows))
            let now = DispatchTime.now().uptimeNanoseconds
            if added < bank.rows, Double(now - lastSave) / 1e9 >= checkpointSeconds {
                try index.write(to: partial)
                try String(added).write(to: partialRows, atomically: true, encoding: .utf8)
                lastSave = DispatchTime.now().uptimeNanoseconds
            }
        }
        report.addSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (index, report)
    }

    /// A seeded sample of `min(trainSize, rows)` distinct row numbers, ascending.
    func sampleRows(_ rows: Int) -> [Int] {
        guard trainSize < rows else { return Array(0..<rows) }
        var rng = SeededGenerator(seed: seed)
        var chosen = Set<Int>()
        chosen.reserveCapacity(trainSize)
        while chosen.count < trainSize { chosen.insert(Int(rng.next() % UInt64(rows))) }
        return chosen.sorted()
    }
}
