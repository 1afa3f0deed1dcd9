import Foundation

// pleinair-bench [pipeline|engine|imaging|all]: prints each figure beside the peer measured in
// the same run. Timings vary ±30% run to run on the project machine: compare the ratios.
let groups = CommandLine.arguments.dropFirst().isEmpty ? ["all"] : Array(CommandLine.arguments.dropFirst())
for group in groups {
    switch group {
    case "pipeline", "all":
        try runPipelineBenchmarks()
        if group != "all" { continue }
        fallthrough
    default:
        if !["all", "pipeline"].contains(group) { print("unknown benchmark group '\(group)' (pipeline, all)") }
    }
}
