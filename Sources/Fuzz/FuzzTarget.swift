import Foundation

/// One parser of outside input, driven by arbitrary bytes. A thrown error is a normal outcome;
/// only crashes, hangs and huge allocations are findings.
struct FuzzTarget {
    let name: String
    let run: (Data) throws -> Void

    /// Every fuzzed parser, by the name `PLEINAIR_FUZZ_TARGET` and `scripts/fuzz.sh` use.
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "spec", run: Harnesses.spec),
        FuzzTarget(name: "pickle", run: Harnesses.pickle),
        FuzzTarget(name: "torchscript", run: Harnesses.torchScript),
        FuzzTarget(name: "safetensors", run: Harnesses.safetensors),
        FuzzTarget(name: "npy", run: Harnesses.npy),
        FuzzTarget(name: "answers", run: Harnesses.answers),
        FuzzTarget(name: "archive", run: Harnesses.archive),
        FuzzTarget(name: "image", run: Harnesses.image),
        FuzzTarget(name: "http", run: Harnesses.http),
        FuzzTarget(name: "mask", run: Harnesses.mask),
        FuzzTarget(name: "scripts", run: Harnesses.scripts),
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}
