import Foundation

// pleinair-bench [pipeline|engine|conv|imaging|retrieval|fid|train|all] (conv: the engine group's conv shapes alone): prints each figure beside the peer measured in the
// same run. Timings vary ±30% run to run on the project machine: compare the ratios, not the times.
let known = ["pipeline", "engine", "imaging", "retrieval", "fid", "train"]
let asked = CommandLine.arguments.dropFirst().isEmpty ? ["all"] : Array(CommandLine.arguments.dropFirst())
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
