/// An object a pickle makes in two steps, NEWOBJ then BUILD with its state (a TorchScript module),
/// as `PickleMachine` tracks it: its state becomes part of the nesting depth, and it may not be
/// built once nested in a container (else it could deepen behind the container's back).
protocol PickleStateful: AnyObject {
    /// Containers and objects nested in this one, itself included (1 before BUILD).
    var depth: Int { get set }
    /// Set once the object is nested in a container or another object's state.
    var sealed: Bool { get set }
    /// Takes the BUILD state; throws when it is not a state this object can have.
    func setState(_ state: PickleValue) throws
}
