extension Tensor {
    /// Gradient checkpointing: `body(input)`, recorded as one op that keeps only `input`. Its
    /// backward recomputes `body` with recording on and backpropagates through that fresh graph,
    /// so the activations inside `body` live during its own backward only, not across the whole
    /// forward pass (what a network's residual blocks would otherwise hold until backward).
    ///
    /// `body` must be a pure function of its argument and of leaf tensors (parameters): it runs
    /// twice when recorded, so it must draw no random numbers, update no state, and reach no
    /// tensor of the surrounding graph except through its argument. The forward runs with
    /// recording on, so the same kernels run as in the unchecked op: the result and the input's
    /// gradient are bit-identical to `body(input)`'s. Parameter gradients are returned through this
    /// op, so the outer pass sums a parameter's uses in the order it would have; where `body` uses
    /// a parameter once (a residual block's convolutions), they are bit-identical too.
    /// Without recording (`GradMode.withoutGradient`), it is just `body(input)`.
    public static func checkpoint(_ input: Tensor, _ body: @escaping (Tensor) -> Tensor) -> Tensor {
        guard GradMode.isEnabled else { return body(input) }
        let probe = input.leafAlias()
        let traced = body(probe)
        guard traced.requiresGrad else { return traced }
        let parameters = traced.leavesNeedingGradient(excluding: probe)
        // The values without the graph: the traced activations are freed on return.
        let result = traced.detached()
        return record(result, inputs: [input] + parameters) { g in
            let replay = input.leafAlias()
            let output = GradMode.$isRecording.withValue(true) { body(replay) }
            var found: [ObjectIdentifier: Tensor] = [:]
            if output.requiresGrad {
                output.propagate(g) { leaf, grad in found[ObjectIdentifier(leaf)] = grad }
            }
            return ([replay] + parameters).map { t in
                found[ObjectIdentifier(t)].map { $0.shape == t.shape ? $0 : $0.reshaped(t.shape) }
            }
        }
    }

    /// A new leaf over the same storage that needs a gradient when this tensor does.
    private func leafAlias() -> Tensor {
        Tensor(shape: shape, storage: storage, offset: offset, requiresGrad: requiresGrad)
    }

    /// The leaves other than `excluded` that need a gradient and that this tensor's graph reaches.
    private func leavesNeedingGradient(excluding excluded: Tensor) -> [Tensor] {
        var leaves: [Tensor] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(excluded)]
        var stack = [self]
        while let t = stack.popLast() {
            guard visited.insert(ObjectIdentifier(t)).inserted, t.requiresGrad else { continue }
            if let node = t.node { stack.append(contentsOf: node.inputs) } else { leaves.append(t) }
        }
        return leaves
    }
}
