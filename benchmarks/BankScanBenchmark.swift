import Basics
import Foundation
import Imaging
import Pipeline
import NN
import Tensor
import CycleGAN
import Retrieval

/// `pleinair-bench bank-scan BANK INDEX`: the shortlist search of one `bank-step` at paper size, with
/// FAISS's own IVF-PQ list scan and with PleinAir's (`CFaissShim/PQTableScanner.cpp`), alternating,
/// three rounds. The queries are the patches of the image `bank-step` generates; each scale's index
/// is searched for the manifest's shortlist with nprobe from the manifest, on all cores. Prints each
/// scale's times, their ratio, and whether the two scans' labels and distances agree bit for bit.
func runBankScan(bank: URL, index folder: URL) throws {
    let threads = ProcessInfo.processInfo.activeProcessorCount
    BLASKernel.setThreadCount(threads)
    let memory = try MemoryBank(folder: bank)
    let manifest = try PatchIndexManifest.read(from: folder)
    var options = CycleGANOptions()
    options.ngf = 64; options.ndf = 64; options.blocks = 9
    let a = Tensor(shape: [1, 3, 256, 256], values: DemoScenes.painting(seed: 7, size: 256, style: .impressionist).planarFloats())
    let y = GradMode.withoutGradient { CycleGAN(options: options).generatorA(a) }
    print("bank-scan: \(threads) threads, shortlist \(manifest.shortlist), nprobe \(manifest.nprobe), "
          + "64-code filter \(ANNIndex.fastListScanVectorised ? "on" : "off (no AVX-512 VBMI)")")
    var faissTotal = 0.0, oursTotal = 0.0, identical = true
    for (s, name) in manifest.scales.enumerated() {
        let scale = memory.scales[s].scale
        let index = try ANNIndex.read(from: folder.appendingPathComponent(PatchIndexManifest.indexFile(name)))
        try manifest.applySearchParameters(to: index)
        let source = scale.rescale == 1 ? y : y.resizedBilinear(height: scale.rescaled(256), width: scale.rescaled(256))
        let patches = source.patches(size: scale.patch, stride: scale.stride)
        let n = patches.shape[0] * patches.shape[1], k = max(1, manifest.shortlist)
        var theirs: [Double] = [], ours: [Double] = []
        var reference: Neighbors?, same = true
        for _ in 0..<3 {
            for fast in [false, true] {
                let kind = index.useFastListScan(fast)
                var found: Neighbors!
                let t = try Bench.time { found = try index.search(patches.pointer, count: n, k: k, threads: threads) }
                if fast, kind != .pleinAir { print("  \(name): PleinAir's scan does not apply (\(kind))") }
                if let reference {
                    same = same && found.labels == reference.labels
                        && found.distances.map(\.bitPattern) == reference.distances.map(\.bitPattern)
                } else {
                    reference = found
                }
                if fast { ours.append(t) } else { theirs.append(t) }
            }
        }
        identical = identical && same
        faissTotal += theirs.min()!
        oursTotal += ours.min()!
        print(String(format: "  %@: %d queries, %@: FAISS's scan %.0f ms, PleinAir's %.0f ms (%.2f×), labels and distances %@",
                     name, n, manifest.factories[s], theirs.min()! * 1000, ours.min()! * 1000, theirs.min()! / ours.min()!,
                     same ? "identical" : "DIFFER"))
    }
    print(String(format: "  all scales: FAISS's scan %.0f ms, PleinAir's %.0f ms (%.2f×)", faissTotal * 1000, oursTotal * 1000,
                 faissTotal / oursTotal))
    if !identical { throw StageFailure.message("the two list scans gave different shortlists") }
}
