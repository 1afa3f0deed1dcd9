import Foundation
import XCTest

/// The rule of which target may import which (docs/architecture.md §1), checked from the `import`
/// lines of every source file, and every import declared as a dependency in Package.swift.
final class ImportRuleTests: XCTestCase {
    /// Modules of the toolchain: anyone may import them.
    static let system: Set<String> = ["Foundation", "FoundationNetworking", "Glibc", "Dispatch", "XCTest"]
    /// The numeric targets and their C libraries.
    static let numeric: Set<String> = ["Tensor", "NN", "CycleGAN", "Retrieval", "Pretrained", "COpenBLAS", "CFaissShim", "CScanKernels", "CVectorMath"]
    /// The image target and its C libraries.
    static let image: Set<String> = ["Imaging", "CPNG", "CTurboJPEG"]
    /// The runner and what reads its results.
    static let pipelineHalf: Set<String> = ["Pipeline", "Statistics", "Results", "Report", "UI", "CLibYAML", "CSQLite"]

    /// What each library target may import besides the system modules: the rule, written out.
    static let allowed: [String: Set<String>] = [
        "Basics": ["Crypto"],
        "ZIPGuard": [],
        "Tensor": ["Basics", "COpenBLAS", "CVectorMath"],
        "NN": ["Basics", "Tensor", "ZIPFoundation", "ZIPGuard"],
        "CycleGAN": ["Basics", "Tensor", "NN"],
        "Retrieval": ["Basics", "Tensor", "NN", "CFaissShim", "COpenBLAS", "CScanKernels", "CVectorMath"],
        "Pretrained": ["Basics", "Tensor", "NN"],
        "Imaging": ["Basics", "CPNG", "CTurboJPEG", "ZIPFoundation", "ZIPGuard"],
        "Pipeline": ["Basics", "CLibYAML", "CSQLite"],
        "Statistics": ["Basics"],
        "Results": ["Basics", "Pipeline", "Statistics"],
        "Report": ["Pipeline", "Results"],
        "UI": ["Basics", "Pipeline", "Results", "Report"],
        "Study": ["Basics", "Pipeline", "Imaging", "Statistics"],
        "Downloads": ["Basics", "Imaging", "Pipeline"],
        "Stages": ["Basics", "Pipeline", "Imaging", "Tensor", "NN", "CycleGAN", "Retrieval", "Pretrained", "Study"],
    ]

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Target name → the modules its files import (files under `Sources/TARGET`).
    static func imports(under folder: String) throws -> [String: [String: Set<String>]] {
        var result: [String: [String: Set<String>]] = [:]
        let sources = root.appendingPathComponent(folder)
        for target in try FileManager.default.contentsOfDirectory(atPath: sources.path) {
            let dir = sources.appendingPathComponent(target)
            guard let files = FileManager.default.enumerator(atPath: dir.path) else { continue }
            for case let file as String in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
                result[target, default: [:]][file] = moduleImports(text)
            }
        }
        return result
    }

    /// The modules named by `import X` / `@testable import X` lines.
    static func moduleImports(_ text: String) -> Set<String> {
        var modules = Set<String>()
        for line in text.split(separator: "\n") where line.hasPrefix("import ") || line.hasPrefix("@testable import ") {
            let words = line.split(separator: " ").filter { !$0.hasPrefix("@") }
            guard words.count >= 2, words[0] == "import" else { continue }
            modules.insert(String(words[words.count - 1]))
        }
        return modules
    }

    /// The rule as a function, so a test can also show that it refuses a bad import.
    static func violations(of target: String, importing modules: Set<String>) -> [String] {
        var found: [String] = []
        let others = modules.subtracting(system).subtracting([target])
        if let allowed = allowed[target] {
            for module in others.subtracting(allowed).sorted() { found.append("\(target) may not import \(module)") }
        }
        if pipelineHalf.contains(target) {
            for module in others.intersection(numeric.union(image)).sorted() { found.append("the pipeline half (\(target)) imports \(module)") }
        }
        if numeric.contains(target) || image.contains(target) {
            for module in others.intersection(pipelineHalf).sorted() { found.append("\(target) imports the pipeline half (\(module))") }
        }
        if numeric.contains(target) {
            for module in others.intersection(image).sorted() { found.append("numeric \(target) imports image target \(module)") }
        }
        if image.contains(target) {
            for module in others.intersection(numeric).sorted() { found.append("image \(target) imports numeric \(module)") }
        }
        if target == "Downloads" {
            for module in others.intersection(numeric).sorted() { found.append("Downloads imports numeric \(module)") }
        }
        return found
    }

    func testEveryLibraryTargetFollowsTheRule() throws {
        let targets = try Self.imports(under: "Sources")
        XCTAssertGreaterThan(targets.count, 15, "found the sources")
        var problems: [String] = []
        for (target, files) in targets.sorted(by: { $0.key < $1.key }) {
            guard Self.allowed[target] != nil else { continue }  // executables and C shims
            for (file, modules) in files.sorted(by: { $0.key < $1.key }) {
                problems += Self.violations(of: target, importing: modules).map { "Sources/\(target)/\(file): \($0)" }
            }
        }
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
        XCTAssertEqual(Set(targets.keys).intersection(Self.allowed.keys).count, Self.allowed.count,
                       "every target the rule names exists: \(Set(Self.allowed.keys).subtracting(targets.keys))")
    }

    func testTheRuleRefusesDownloadsImportingANumericTarget() {
        XCTAssertEqual(Self.violations(of: "Downloads", importing: ["Foundation", "Imaging", "Retrieval"]),
                       ["Downloads may not import Retrieval", "Downloads imports numeric Retrieval"])
        XCTAssertEqual(Self.violations(of: "Pipeline", importing: ["Tensor"]),
                       ["Pipeline may not import Tensor", "the pipeline half (Pipeline) imports Tensor"])
        XCTAssertEqual(Self.violations(of: "Retrieval", importing: ["Imaging"]),
                       ["Retrieval may not import Imaging", "numeric Retrieval imports image target Imaging"])
        XCTAssertEqual(Self.violations(of: "Stages", importing: ["Pipeline", "Retrieval", "Imaging"]), [])
    }

    /// SwiftPM lets a file import a module that is only a transitive dependency; Package.swift must
    /// declare each one, so a target's dependencies say what it really uses.
    func testEveryImportedModuleIsADeclaredDependency() throws {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let declared = Self.declaredDependencies(manifest)
        XCTAssertNotNil(declared["Stages"], "parsed Package.swift")
        var problems: [String] = []
        for folder in ["Sources", "Tests"] {
            for (target, files) in try Self.imports(under: folder) {
                let name = target == "Benchmarks" ? "Benchmarks" : target
                guard let deps = declared[name] else { continue }
                for (file, modules) in files {
                    for module in modules.subtracting(Self.system).subtracting(deps).subtracting([name]).sorted() {
                        problems.append("\(folder)/\(target)/\(file) imports \(module), not declared for \(name)")
                    }
                }
            }
        }
        XCTAssertEqual(problems.sorted(), [], problems.sorted().joined(separator: "\n"))
    }

    /// `name: "X", dependencies: [...]` of every target in Package.swift (products by their name).
    static func declaredDependencies(_ manifest: String) -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        let pattern = try! NSRegularExpression(pattern: #"\.(?:target|testTarget|executableTarget)\(name: "(\w+)"(?:, dependencies: \[([^\]]*)\])?"#,
                                               options: [.dotMatchesLineSeparators])
        let text = manifest as NSString
        for match in pattern.matches(in: manifest, range: NSRange(location: 0, length: text.length)) {
            let name = text.substring(with: match.range(at: 1))
            var deps = Set<String>()
            if match.range(at: 2).location != NSNotFound {
                let list = text.substring(with: match.range(at: 2))
                let names = try! NSRegularExpression(pattern: #"(?:name: )?"(\w+)""#)
                for m in names.matches(in: list, range: NSRange(location: 0, length: (list as NSString).length)) {
                    deps.insert((list as NSString).substring(with: m.range(at: 1)))
                }
            }
            result[name] = deps
        }
        return result
    }
}
