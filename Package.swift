// swift-tools-version:5.10
// PleinAir: a declarative experiment runner for painting-to-photo translation research.
// Dependencies point down only (see shared DESIGN.md): the pipeline half (Pipeline) never
// imports the numeric half (Tensor, NN, Imaging, Vision); the executable wires them together.
import PackageDescription

let release: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "PleinAir",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pleinair", targets: ["PleinAirCLI"]),
        // What the runner starts for each built-in stage (the network stack left out: faster to start).
        .executable(name: "pleinair-stage", targets: ["StageProcess"]),
        .executable(name: "pleinair-bench", targets: ["Benchmarks"]),
        // libFuzzer harnesses for every parser of outside input (docs/fuzzing.md); a replay tool otherwise.
        .executable(name: "pleinair-fuzz", targets: ["Fuzz"]),
    ],
    dependencies: [
        // SHA-256 for fingerprints and content hashes (~1.2 GB/s, PLATFORM.md); Foundation has none on Linux.
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        // The CLI's subcommands, options and --help.
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        // Extracting downloaded dataset archives (CycleGAN's .zip files) with per-entry CRC-32 checks,
        // in-process: a fresh Debian machine has no `unzip`, and a subprocess would hide typed errors.
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", exact: "0.9.20"),
    ],
    targets: [
        // C system libraries (Debian packages, see scripts/install-deps.sh).
        .systemLibrary(name: "CLibYAML", pkgConfig: "yaml-0.1"),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3"),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng16"),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg"),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas"),
        // FAISS ships only as a static C++ library on Debian: a C++ shim exposes `extern "C"` functions
        // that catch every exception (PLATFORM.md); libfaiss.a needs OpenBLAS and GNU OpenMP beside it.
        .target(name: "CFaissShim", linkerSettings: [
            .linkedLibrary("faiss"), .linkedLibrary("openblas"), .linkedLibrary("gomp"),
        ]),

        // What both halves share: the one seeded generator and the one SHA-256 helper.
        .target(name: "Basics", dependencies: [.product(name: "Crypto", package: "swift-crypto")], swiftSettings: release),
        // Vets a zip's 64-bit fields before ZIPFoundation reads them (it traps on hostile ones).
        .target(name: "ZIPGuard"),

        // Numeric half.
        .target(name: "Tensor", dependencies: ["Basics", "COpenBLAS"], swiftSettings: release),
        // NN holds the checkpoint and array readers beside safetensors; ZIPFoundation reads PyTorch's
        // zip checkpoints (the published FID Inception weights).
        .target(name: "NN", dependencies: ["Basics", "Tensor", "ZIPFoundation", "ZIPGuard"], swiftSettings: release),
        .target(name: "Vision", dependencies: ["Basics", "NN", "CFaissShim", "COpenBLAS"], swiftSettings: release),
        .target(name: "Imaging", dependencies: [
            "Basics", "CPNG", "CTurboJPEG", "ZIPFoundation", "ZIPGuard",
        ], swiftSettings: release),

        // Pipeline half.
        .target(name: "Pipeline", dependencies: ["Basics", "CLibYAML", "CSQLite"]),

        // Results as a self-contained HTML page (table, SVG charts, inlined images).
        .target(name: "Report", dependencies: ["Pipeline"]),
        // `pleinair ui`: a local, read-only live view over the ledger and the store (POSIX sockets, no
        // server package: SwiftNIO or Hummingbird would add minutes to every fresh build for a GET-only view).
        .target(name: "UI", dependencies: ["Pipeline", "Report"]),
        // User-study sheets, answer keys, response ingestion and statistics.
        .target(name: "Study", dependencies: ["Basics", "Pipeline", "Imaging"]),

        // Downloads (datasets, weights) and the stage kind that downloads; kept out of Stages so that a
        // stage's process never loads FoundationNetworking and libcurl (~8 ms of every start).
        .target(name: "Downloads", dependencies: ["Basics", "Imaging", "Pipeline", "Vision"], swiftSettings: release),

        // Built-in stage kinds: where the two halves meet.
        .target(name: "Stages", dependencies: ["Basics", "Pipeline", "Imaging", "NN", "Vision", "Study"], swiftSettings: release),

        .executableTarget(name: "PleinAirCLI", dependencies: [
            "Pipeline", "Stages", "Downloads", "Report", "Study", "Tensor", "Imaging", "Vision", "UI",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "StageProcess", dependencies: ["Pipeline", "Stages"], swiftSettings: release),
        .executableTarget(name: "Benchmarks", dependencies: ["Basics", "Pipeline", "Stages", "Tensor", "NN", "Vision", "Imaging"],
                          path: "benchmarks", exclude: ["torch_generator_step.py", "torch_cyclegan_step.py"], swiftSettings: release),
        .executableTarget(name: "Fuzz", dependencies: ["Pipeline", "Stages", "Downloads", "Study", "NN", "Vision", "Imaging", "UI"]),

        // What some tests need from the machine (PyTorch, Slurm, Chromium…): skip, or fail where required.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["Basics", "Tensor", "NN", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NNTests", dependencies: ["Basics", "NN"], resources: [.copy("Fixtures")]),
        .testTarget(name: "VisionTests", dependencies: ["Basics", "Vision", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ImagingTests", dependencies: ["Basics", "Imaging", "Downloads", "Pipeline", "ZIPFoundation"], resources: [.copy("Fixtures")]),
        .testTarget(name: "RetrievalTests", dependencies: ["Basics", "Vision", "Imaging"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TrainingTests", dependencies: ["Basics", "Vision", "Imaging", "NN", "Tensor", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CLITests", dependencies: ["PleinAirCLI", "Pipeline", "TestSupport"], resources: [.copy("Fixtures")]),
        // Every built-in stage kind, run alone through one harness (StageHarness), no pipeline around it.
        .testTarget(name: "StagesTests", dependencies: ["Basics", "Stages", "Pipeline", "Imaging", "Vision", "NN", "Tensor", "Study", "TestSupport"]),
        // The live view: HTTP parsing, token and path safety, pages over a real ledger, Chromium, load.
        .testTarget(name: "UITests", dependencies: ["UI", "Pipeline", "TestSupport"]),
        .testTarget(name: "StudyTests", dependencies: ["Study", "Stages", "Pipeline", "Imaging"], resources: [.copy("Fixtures")]),
    ]
)
