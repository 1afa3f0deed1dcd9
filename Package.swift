// swift-tools-version:5.10
// PleinAir: a declarative experiment runner for painting-to-photo translation research.
// PleinAir targets Linux only (Debian 12): it uses Glibc calls (send, st_mtim) and Debian's C libraries.
// Dependencies point down only (docs/architecture.md; Tests/ArchitectureTests checks the rule from
// the import lines): the pipeline half never imports the numeric or image targets; `Stages` is where
// the halves meet, and the executables wire them together.
import PackageDescription

let release: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
// The numeric and image targets are optimised in debug builds too: unspecialised, their generic SIMD code
// (the Winograd transforms) runs several times slower, and the tests run whole networks through it.
let numeric: [SwiftSetting] = release + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "PleinAir",
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

        // The exact scan's bf16 pre-screen kernels (AVX-512 BF16 intrinsics, chosen at run time).
        .target(name: "CScanKernels"),
        // AVX-512 kernels chosen at run time, with the bits of the scalar code they replace: glibc's expf and the
        // contextual loss's rows (Retrieval), the few-output-channel direct convolutions and the one-axis Winograd
        // transforms (Tensor).
        .target(name: "CVectorMath"),

        // What both halves share: the seeded generator, SHA-256, label maps, the weights folder, errno text.
        .target(name: "Basics", dependencies: [.product(name: "Crypto", package: "swift-crypto")], swiftSettings: release),
        // Vets a zip's 64-bit fields before ZIPFoundation reads them (it traps on hostile ones).
        .target(name: "ZIPGuard"),

        // Numeric half.
        .target(name: "Tensor", dependencies: ["Basics", "COpenBLAS", "CVectorMath"], swiftSettings: numeric),
        // NN holds the checkpoint and array readers beside safetensors; ZIPFoundation reads PyTorch's
        // zip checkpoints (the published FID Inception weights).
        .target(name: "NN", dependencies: ["Basics", "Tensor", "ZIPFoundation", "ZIPGuard"], swiftSettings: numeric),
        // The CycleGAN networks, trainer (an auxiliary-loss closure, no patch loss), checkpoints and layouts.
        .target(name: "CycleGAN", dependencies: ["Basics", "Tensor", "NN"], swiftSettings: numeric),
        // Memory banks, FAISS indexes, scans, the authors' import, the patch and contextual losses:
        // the only target that links FAISS.
        .target(name: "Retrieval", dependencies: ["Basics", "Tensor", "NN", "CFaissShim", "COpenBLAS", "CScanKernels", "CVectorMath"], swiftSettings: numeric),
        // Pretrained feature networks: Inception for FID, Fréchet statistics, VGG-19 style transfer, the weights registry.
        .target(name: "Pretrained", dependencies: ["Basics", "Tensor", "NN"], swiftSettings: numeric),

        // Image half.
        .target(name: "Imaging", dependencies: [
            "Basics", "CPNG", "CTurboJPEG", "ZIPFoundation", "ZIPGuard",
        ], swiftSettings: numeric),

        // Pipeline half.
        .target(name: "Pipeline", dependencies: ["Basics", "CLibYAML", "CSQLite"]),
        // One of each test and interval: Student t, Wilcoxon, sign and binomial tests, Wilson, bootstrap.
        .target(name: "Statistics", dependencies: ["Basics"]),
        // Results tables, replicate summaries, comparisons, paper tables, formats, per-image values.
        .target(name: "Results", dependencies: ["Pipeline", "Statistics"]),

        // Results as a self-contained HTML page (table, SVG charts, inlined images).
        .target(name: "Report", dependencies: ["Pipeline", "Results"]),
        // `pleinair ui`: a local, read-only live view over the ledger and the store (POSIX sockets, no
        // server package: SwiftNIO or Hummingbird would add minutes to every fresh build for a GET-only view).
        .target(name: "UI", dependencies: ["Basics", "Pipeline", "Results", "Report"]),
        // User-study sheets, answer keys, response ingestion and statistics.
        .target(name: "Study", dependencies: ["Basics", "Pipeline", "Imaging", "Statistics"]),

        // Downloads (datasets, weights) and the stage kinds that download; kept out of Stages so that a
        // stage's process never loads FoundationNetworking and libcurl (~8 ms of every start).
        .target(name: "Downloads", dependencies: ["Basics", "Imaging", "Pipeline"], swiftSettings: release),

        // Built-in stage kinds: where the two halves meet.
        .target(name: "Stages", dependencies: [
            "Basics", "Pipeline", "Imaging", "Tensor", "NN", "CycleGAN", "Retrieval", "Pretrained", "Study",
        ], swiftSettings: release),

        .executableTarget(name: "PleinAirCLI", dependencies: [
            "Basics", "Pipeline", "Results", "Stages", "Downloads", "Report", "Study", "Tensor", "Imaging", "CycleGAN", "Pretrained", "UI",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "StageProcess", dependencies: ["Pipeline", "Stages"], swiftSettings: release),
        .executableTarget(name: "Benchmarks", dependencies: [
            "Basics", "Pipeline", "Stages", "Tensor", "NN", "CycleGAN", "Retrieval", "Pretrained", "Imaging",
        ], path: "benchmarks", exclude: ["torch_generator_step.py", "torch_cyclegan_step.py", "torch_inception.py", "scipy_frechet.py", "compare-builds.sh",
                     "prescreen_survivors.py", "expf_exhaustive.c"], swiftSettings: release),
        .executableTarget(name: "Fuzz", dependencies: [
            "Basics", "Pipeline", "Stages", "Downloads", "Study", "NN", "CycleGAN", "Retrieval", "Pretrained", "Imaging", "UI",
        ]),

        // Test helpers: requirements (PyTorch, Slurm, Chromium… skip, or fail where required), temp folders, HTTP.
        .target(name: "TestSupport", path: "Tests/TestSupport", exclude: ["range_server.py"]),
        .testTarget(name: "BasicsTests", dependencies: ["Basics", "TestSupport"]),
        .testTarget(name: "ZIPGuardTests", dependencies: ["ZIPGuard", "TestSupport"]),
        .testTarget(name: "TensorTests", dependencies: ["Basics", "Tensor", "NN", "TestSupport", "CVectorMath"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NNTests", dependencies: ["Basics", "Tensor", "NN", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CycleGANTests", dependencies: ["Basics", "Tensor", "NN", "CycleGAN", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "RetrievalTests", dependencies: ["Basics", "Tensor", "NN", "Retrieval", "Imaging", "TestSupport", "COpenBLAS", "CScanKernels", "CVectorMath"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PretrainedTests", dependencies: ["Basics", "Tensor", "NN", "Pretrained", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ImagingTests", dependencies: ["Basics", "Imaging", "ZIPFoundation", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DownloadsTests", dependencies: ["Basics", "Downloads", "Imaging", "Pipeline", "ZIPFoundation", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Basics", "Pipeline", "Results", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ResultsTests", dependencies: ["Pipeline", "Results", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Pipeline", "Results", "Report", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["PleinAirCLI", "Pipeline", "TestSupport"], resources: [.copy("Fixtures")]),
        // Every built-in stage kind, run alone through one harness (StageHarness), no pipeline around it.
        .testTarget(name: "StagesTests", dependencies: [
            "Basics", "Stages", "Pipeline", "Imaging", "CycleGAN", "Retrieval", "NN", "Tensor", "Study", "TestSupport",
        ]),
        // The live view: HTTP parsing, token and path safety, pages over a real ledger, Chromium, load.
        .testTarget(name: "UITests", dependencies: ["Basics", "UI", "Pipeline", "Results", "TestSupport"]),
        .testTarget(name: "StudyTests", dependencies: ["Study", "Statistics", "Stages", "Pipeline", "Imaging", "TestSupport"]),
        // pleinair-bench's history of figures per CPU model and its warnings (no timing measured).
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "TestSupport"]),
        // The rule of which target may import which, checked from every source file's import lines.
        .testTarget(name: "ArchitectureTests", dependencies: ["TestSupport"]),
    ]
)
