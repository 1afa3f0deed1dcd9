import Foundation

#if FUZZING
/// The target chosen by `PLEINAIR_FUZZ_TARGET`, resolved once.
let selected: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["PLEINAIR_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget.named(name) else {
        FileHandle.standardError.write(Data("PLEINAIR_FUZZ_TARGET must be one of: \(FuzzTarget.all.map(\.name).joined(separator: ", ")) (got '\(name)')\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    try? selected.run(bytes.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

/// libFuzzer's driver (`-sanitize=fuzzer` links it). SwiftPM points an executable's `main` at the
/// module's entry point, so libFuzzer's own `main` cannot be used; ours hands over to the driver.
/// Only pointers and a C int cross, where Swift's calling convention matches C's.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@main
enum Fuzz {
    static func main() {
        _ = selected
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzerTestOneInput))
    }
}
#else
/// Replay mode of an ordinary build: `pleinair-fuzz TARGET FILE…` runs each file through the
/// harness, so a crashing input can be debugged without the fuzzing toolchain.
@main
enum Replay {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        guard let name = args.first, let target = FuzzTarget.named(name), args.count > 1 else {
            print("usage: pleinair-fuzz TARGET FILE…   (targets: \(FuzzTarget.all.map(\.name).joined(separator: ", ")))")
            exit(2)
        }
        defer { try? FileManager.default.removeItem(at: Scratch.folder) }
        for path in args.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("\(path): cannot read")
                exit(1)
            }
            do {
                try target.run(data)
                print("\(path): ok")
            } catch {
                print("\(path): threw \(error)")
            }
        }
    }
}
#endif
