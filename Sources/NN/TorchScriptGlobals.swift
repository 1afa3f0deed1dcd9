/// The pickle globals a TorchScript archive's `data.pkl` may name (what `torch.jit.save` writes for
/// modules holding tensors and int, float, bool or tensor lists); any other is refused by name
/// before anything is built.
enum TorchScriptGlobals {
    /// `torch.jit._pickle`'s rebuilders of typed lists: each returns its one argument, a list.
    static let listBuilders: Set<String> = ["build_intlist", "build_doublelist", "build_boollist", "build_tensorlist"]

    /// The archive's own module classes (`__torch__.inceptionv3.Conv2dLayer`,
    /// `__torch__.torch.nn.modules.container.___torch_mangle_9.Sequential`): names only, defined by
    /// the archive's `code/`, which is never run; an instance is its attribute dictionary.
    static func isModuleClass(module: String, name: String) -> Bool {
        let parts = module.split(separator: ".", omittingEmptySubsequences: false)
        return parts.first == "__torch__" && parts.allSatisfy(isIdentifier) && isIdentifier(Substring(name))
    }

    static func allows(module: String, name: String) -> Bool {
        if PyTorchCheckpoint.allowedGlobals.contains(module + "." + name) { return true }
        if module == "torch.jit._pickle" { return listBuilders.contains(name) }
        return isModuleClass(module: module, name: name)
    }

    /// An ASCII Python identifier: a letter or `_`, then letters, digits or `_`.
    private static func isIdentifier(_ s: Substring) -> Bool {
        func letter(_ c: UInt8) -> Bool { c == UInt8(ascii: "_") || (c | 0x20 >= UInt8(ascii: "a") && c | 0x20 <= UInt8(ascii: "z")) }
        guard let first = s.utf8.first, letter(first) else { return false }
        return s.utf8.allSatisfy { letter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// How `PyTorchCheckpoint.parse` reads a TorchScript archive.
    static let vocabulary = PyTorchCheckpoint.Vocabulary(
        allows: { allows(module: $0, name: $1) }, kind: "a TorchScript archive of tensors and modules",
        construct: { module, name, args in
            if module == "torch.jit._pickle", listBuilders.contains(name) {
                guard args.count == 1, case .list = args[0] else { return nil }
                return args[0]
            }
            if isModuleClass(module: module, name: name) {
                guard args.isEmpty else { return nil }
                return .built(TorchScriptObject(className: module + "." + name))
            }
            return nil
        })
}
