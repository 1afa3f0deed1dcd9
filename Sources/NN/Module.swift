import Tensor

/// A piece of a network that owns parameters and sub-modules under PyTorch state-dict names.
public protocol Module: AnyObject {
    /// Sub-modules with their names (`"model"`, `"0"`, `"conv_block"` …), in registration order.
    var children: [(name: String, module: any Module)] { get }
    /// Trainable tensors owned directly by this module (`"weight"`, `"bias"`).
    var ownParameters: [(name: String, tensor: Tensor)] { get }
    /// Non-trainable state owned directly (running statistics).
    var ownBuffers: [(name: String, tensor: Tensor)] { get }
    /// Whether the module behaves as in training (batch statistics) or evaluation.
    var isTraining: Bool { get set }
}

/// A module that maps one tensor to another.
public protocol Layer: Module {
    /// Runs the layer.
    func callAsFunction(_ input: Tensor) -> Tensor
}

/// A state dict that does not fit a module.
public enum StateDictError: Error, Equatable, CustomStringConvertible {
    case missingKey(String)
    case unexpectedKey(String)
    case shapeMismatch(key: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .missingKey(let k): return "state dict lacks key '\(k)'"
        case .unexpectedKey(let k): return "state dict has unexpected key '\(k)'"
        case .shapeMismatch(let k, let e, let f): return "state dict key '\(k)': expected shape \(e), found \(f)"
        }
    }
}

extension Module {
    public var children: [(name: String, module: any Module)] { [] }
    public var ownParameters: [(name: String, tensor: Tensor)] { [] }
    public var ownBuffers: [(name: String, tensor: Tensor)] { [] }

    /// Every parameter with its dotted state-dict key, depth first in registration order.
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        var out = ownParameters
        for (name, child) in children {
            out += child.namedParameters().map { ("\(name).\($0.name)", $0.tensor) }
        }
        return out
    }

    /// Every buffer with its dotted state-dict key.
    public func namedBuffers() -> [(name: String, tensor: Tensor)] {
        var out = ownBuffers
        for (name, child) in children {
            out += child.namedBuffers().map { ("\(name).\($0.name)", $0.tensor) }
        }
        return out
    }

    /// All trainable tensors, for an optimiser.
    public var parameters: [Tensor] { namedParameters().map(\.tensor) }

    /// Parameters and buffers by key, as PyTorch's `state_dict()` (tensors are shared, not copied).
    public func stateDict() -> [String: Tensor] {
        var d: [String: Tensor] = [:]
        for (k, t) in namedParameters() + namedBuffers() { d[k] = t }
        return d
    }

    /// Copies values from `dict` into this module's tensors; `strict` also rejects unknown keys.
    /// PyTorch's `num_batches_tracked` counters are accepted and ignored.
    public func loadStateDict(_ dict: [String: Tensor], strict: Bool = true) throws {
        let own = namedParameters() + namedBuffers()
        for (key, t) in own {
            guard let src = dict[key] else { throw StateDictError.missingKey(key) }
            guard src.shape == t.shape else { throw StateDictError.shapeMismatch(key: key, expected: t.shape, found: src.shape) }
            t.assign(src)
        }
        if strict {
            let known = Set(own.map(\.name))
            for key in dict.keys.sorted() where !known.contains(key) && !key.hasSuffix("num_batches_tracked") {
                throw StateDictError.unexpectedKey(key)
            }
        }
    }

    /// Switches this module and all descendants to training (`true`) or evaluation mode.
    public func setTraining(_ training: Bool) {
        isTraining = training
        for (_, child) in children { child.setTraining(training) }
    }

    /// Drops accumulated gradients of every parameter.
    public func zeroGrad() {
        for (_, t) in namedParameters() { t.grad = nil }
    }
}
