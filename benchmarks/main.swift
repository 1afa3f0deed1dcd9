import Foundation

// pleinair-bench [pipeline|engine|conv|imaging|retrieval|fid|train|all] (conv: the engine group's conv shapes alone): prints each figure beside the peer measured in the
// same run, with its goal beside it. Timings vary ±30% run to run on the project machine: compare the ratios, not the times.
// Each run's figures are appended, with the CPU model, to a history file outside the repository
// (BenchHistory.file: $PLEINAIR_BENCH_HISTORY, else ~/.cache/pleinair/bench-history.jsonl), and a figure more
// than 15% worse than the last run on the same CPU model is warned about.
// pleinair-bench train-loss [repeats]: the train group's patch loss alone, whole and by part (with repeats: a loop for perf).
// pleinair-bench layers [forward|step N]: the engine group's generator step layer by layer, one residual conv and
// the output conv by part (forward|step N: the no-grad forward or the training step alone, N times, for perf).
// pleinair-bench contextual [M U D [repeats]]: the contextual loss alone on random patches (default: a paper-size p4s4 term).
// pleinair-bench bank-scan BANK INDEX: the shortlist search of one paper-size step, FAISS's IVF-PQ list scan against PleinAir's.
// pleinair-bench bank [--quick] [--index-param name=value]…: paper-scale memory banks against the issue's goals (not in `all`: 40+ minutes, or ~5 with --quick).
/// Keeps this run's figures in the history file and prints what got worse since the last run on this CPU model.
func keepHistory() {
    guard !Bench.figures.isEmpty else { return }
    let file = BenchHistory.file(), cpu = BenchHistory.cpuModel()
    do {
        let warnings = try BenchHistory.record(Bench.figures, cpu: cpu, file: file)
        print("history: \(Bench.figures.count) figures kept in \(file.path) (CPU: \(cpu))")
        for warning in warnings { print(warning) }
        let missed = Bench.figures.filter { !$0.meetsGoal }.map(\.name)
        if !missed.isEmpty { print("goals not met: \(missed.joined(separator: ", "))") }
    } catch {
        print("history: cannot write \(file.path): \(error)")
    }
}

let known = ["pipeline", "engine", "imaging", "retrieval", "fid", "train"]
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "bank" {
    let params = zip(arguments, arguments.dropFirst()).filter { $0.0 == "--index-param" }.map(\.1)
    try runBankBenchmarks(quick: arguments.contains("--quick"), indexParams: params)
    keepHistory()
    exit(0)
}
if arguments.first == "bank-step", arguments.count == 4 || (arguments.count == 5 && arguments[4] == "checkpoint"),
   let lambda = Float(arguments[3]) {
    try runBankStep(bank: URL(fileURLWithPath: arguments[1]), index: URL(fileURLWithPath: arguments[2]), lambda: lambda,
                    checkpointBlocks: arguments.count == 5)
    exit(0)
}
if arguments.first == "bank-scan", arguments.count == 3 {
    try runBankScan(bank: URL(fileURLWithPath: arguments[1]), index: URL(fileURLWithPath: arguments[2]))
    exit(0)
}
if arguments.first == "train-loss" {
    try runTrainLossProfile(repeats: arguments.count > 1 ? Int(arguments[1]) : nil)
    exit(0)
}
if arguments.first == "layers", arguments.count == 3, ["forward", "step"].contains(arguments[1]), let repeats = Int(arguments[2]) {
    runEngineLoop(step: arguments[1] == "step", repeats)
    exit(0)
}
if arguments.first == "layers" {
    runLayerProfile(); runResidualConvParts(); runOutputConvParts()
    exit(0)
}
if arguments.first == "contextual" {
    runContextualProfile(Array(arguments.dropFirst()))
    exit(0)
}
if arguments.first == "bank-index", arguments.count == 8 {
    try runBankIndex(Array(arguments.dropFirst()))
    exit(0)
}
if arguments.first == "bank-search", arguments.count >= 3 {
    try runBankSearch(Array(arguments.dropFirst()))
    exit(0)
}
let asked = arguments.isEmpty ? ["all"] : arguments
for group in asked.flatMap({ $0 == "all" ? known : [$0] }) {
    switch group {
    case "pipeline": try runPipelineBenchmarks()
    case "engine": runEngineBenchmarks()
    case "conv": runConvBenchmarks()
    case "imaging": runImagingBenchmarks()
    case "retrieval": try runRetrievalBenchmarks()
    case "fid": runFIDBenchmarks()
    case "train": try runTrainBenchmarks()
    default: print("unknown benchmark group '\(group)' (\(known.joined(separator: ", ")), all)")
    }
}
keepHistory()
