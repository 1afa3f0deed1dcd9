extension NumpyPickle {
    /// The only globals a mask pickle may name: what a pickled ndarray names under NumPy 1.x
    /// (`numpy.core`) and 2.x (`numpy._core`), with pickle protocols 3 and 4. Any other is refused
    /// by name before anything is built (protocol 5's `numpy.core.numeric._frombuffer` included).
    public static let allowedGlobals: Set<String> = [
        "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct", "numpy.ndarray", "numpy.dtype",
    ]
}
