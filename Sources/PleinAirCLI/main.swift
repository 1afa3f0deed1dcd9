import Foundation

// OpenBLAS reads OPENBLAS_CORETYPE when it loads, before main runs, and misdetects this CPU
// (PLATFORM.md): choose the kernel and re-execute once with the variable set.
BLASRelaunch.relaunchIfNeeded()

PleinAir.main()
