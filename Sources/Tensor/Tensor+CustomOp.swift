extension Tensor {
    /// Records an operation computed outside the engine (e.g. the contextual loss) with its own
    /// gradient rule: `backward` maps the result's gradient to one gradient per input (nil where
    /// none is needed) and runs with recording off. Its owner checks it against finite differences.
    public static func customOp(_ result: Tensor, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        record(result, inputs: inputs, backward: backward)
    }
}
