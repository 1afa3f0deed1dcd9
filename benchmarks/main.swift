// Benchmark runner: prints ratios measured within one run (see PLATFORM.md on drift).
runEngineBenchmarks()
