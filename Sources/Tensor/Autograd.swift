/// One recorded operation: its inputs and the rule mapping the output's gradient to theirs.
final class GradNode {
    let inputs: [Tensor]
    /// Returns one gradient per input (nil where an input needs none); runs with recording off.
    let backward: (Tensor) -> [Tensor?]

    init(inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.inputs = inputs
        self.backward = backward
    }
}

/// Whether operations are recorded for reverse mode; scoped per task/thread, never global.
public enum GradMode {
    @TaskLocal static var isRecording = true

    /// Whether new operations are being recorded.
    public static var isEnabled: Bool { isRecording }

    /// Runs `body` without recording (inference, optimiser updates, gradient rules).
    public static func withoutGradient<T>(_ body: () throws -> T) rethrows -> T {
        try $isRecording.withValue(false) { try body() }
    }
}

extension Tensor {
    /// Makes an op's result, attaching `backward` when recording and some input needs a gradient.
    static func record(_ result: Tensor, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        if GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) {
            result.requiresGrad = true
            result.node = GradNode(inputs: inputs, backward: backward)
        }
        return result
    }

    /// Reverse-mode pass from this tensor; `seed` defaults to ones of this shape (a scalar loss).
    ///
    /// Gradients add into `grad` of every leaf that requires one (so repeated calls accumulate).
    /// The graph is released as it is walked, so a second backward through it sees only leaves.
    public func backward(_ seed: Tensor? = nil) {
        precondition(requiresGrad, "backward from a tensor that does not require grad")
        let start = seed ?? Tensor(shape: shape, repeating: 1)
        precondition(start.count == count, "seed \(start.shape) for tensor \(shape)")
        propagate(start) { t, g in
            if let existing = t.grad { existing.addInPlace(g) } else { t.grad = g.copy().reshaped(t.shape) }
        }
    }

    /// The reverse-mode walk from this tensor with gradient `start`: every node's rule runs once,
    /// releasing the node, and `leaf` receives each reached leaf with its summed gradient (which it
    /// must not modify), once. `backward` adds those into `grad`; `checkpoint` returns them.
    func propagate(_ start: Tensor, leaf: (Tensor, Tensor) -> Void) {
        let order = topologicalOrder()
        GradMode.withoutGradient {
            var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): start]
            var owned = Set<ObjectIdentifier>()  // grads we allocated and may add into in place
            for t in order.reversed() {
                let id = ObjectIdentifier(t)
                guard let g = grads.removeValue(forKey: id) else { continue }
                guard let node = t.node else {
                    leaf(t, g)
                    continue
                }
                t.node = nil
                let inputGrads = node.backward(g)
                for (input, gi) in zip(node.inputs, inputGrads) {
                    guard input.requiresGrad, let gi else { continue }
                    precondition(gi.count == input.count, "gradient \(gi.shape) for input \(input.shape)")
                    let iid = ObjectIdentifier(input)
                    if let acc = grads[iid] {
                        if owned.contains(iid) { acc.addInPlace(gi) } else {
                            let sum = acc.copy(); sum.addInPlace(gi)
                            grads[iid] = sum; owned.insert(iid)
                        }
                    } else {
                        grads[iid] = gi
                    }
                }
            }
        }
    }

    /// Tensors reachable from this one through recorded nodes, inputs before the ops that use them.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (t, expanded) = stack.popLast() {
            if expanded { order.append(t); continue }
            guard visited.insert(ObjectIdentifier(t)).inserted else { continue }
            stack.append((t, true))
            if let node = t.node {
                for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                    stack.append((input, false))
                }
            }
        }
        return order
    }

    /// Adds `other` (same element count) into this tensor; not recorded.
    public func addInPlace(_ other: Tensor) {
        precondition(other.count == count, "add \(other.shape) into \(shape)")
        let p = pointer, q = other.pointer
        Parallel.forEachRange(count) { r in for i in r { p[i] += q[i] } }
    }
}
