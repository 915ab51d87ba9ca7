using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Core;

/// <summary>
/// The single declaration of one activation: its parameters (checked when it is constructed), its
/// forward formula, the tensors it keeps for backward, and its derivative. <see cref="ActivationFunction"/>
/// is the one piece of autograd plumbing that serves every definition.
/// </summary>
/// <remarks>
/// Definitions are immutable and may be shared between threads: <see cref="Forward"/> and
/// <see cref="BackwardAll"/> keep per-call state only in the tensors they save.
/// </remarks>
internal abstract class ActivationDefinition
{
    /// <summary>The torch.nn.functional name, e.g. <c>leaky_relu</c>; used in messages.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Rejects inputs the definition cannot take (a dim out of range, a weight of the wrong shape).
    /// Runs before anything is computed, so a bad call changes nothing.
    /// </summary>
    public virtual void CheckInputs(ReadOnlySpan<Tensor> inputs) { }

    /// <summary>
    /// Computes the activation of <c>inputs[0]</c> (further inputs are learnable tensors such as
    /// PReLU's weight). When <paramref name="save"/> is not null autograd will need the
    /// derivative: add to it exactly the tensors <see cref="BackwardAll"/> reads.
    /// </summary>
    public abstract Tensor Forward(ReadOnlySpan<Tensor> inputs, List<Tensor>? save);

    /// <summary>
    /// The gradients with respect to each input, given the output's gradient and the tensors
    /// <see cref="Forward"/> saved. Runs inside a native autograd callback, where an exception
    /// would abort the process: everything that can fail must have been checked before.
    /// </summary>
    public abstract Tensor?[] BackwardAll(Tensor grad, IReadOnlyList<Tensor> saved);

    /// <summary>
    /// TorchSharp's own computation of the same function, for the inputs <see cref="Forward(ReadOnlySpan{Tensor}, List{Tensor})"/>
    /// takes and differentiated by torch's native autograd: one built-in op where TorchSharp has it, otherwise the formula in
    /// built-in ops. Every comparison with TorchSharp (<see cref="Activations.CreateBuiltin"/>, and through it the
    /// benchmarks, the soak and the demo's built-in runs) takes it from here; null where TorchSharp offers nothing to compare with.
    /// </summary>
    public abstract Func<Tensor[], Tensor>? Builtin { get; }

    /// <summary>
    /// Whether the derivative with respect to the input is constant on each piece (ReLU's 0 or 1): it does not depend
    /// on the input's value, so autograd would see no path from the first derivative back to the input. Such
    /// definitions get their output saved as well, and under <c>create_graph</c> the input gradient is tied to it
    /// with a zero derivative (<see cref="ActivationFunction"/>), so that a second derivative is 0, as TorchSharp's
    /// built-ins give, instead of an error that terminates the process.
    /// </summary>
    public virtual bool PiecewiseConstantDerivative => false;

    /// <summary>
    /// Applies the activation: through <see cref="ActivationFunction"/> when autograd records,
    /// directly (saving nothing) when it does not.
    /// </summary>
    public Tensor Apply(Tensor input, bool inplace = false) => Apply([input], inplace);

    /// <inheritdoc cref="Apply(Tensor, bool)"/>
    public Tensor Apply(Tensor[] inputs, bool inplace = false)
    {
        Guard.FloatingPoint(inputs[0], "input");
        CheckInputs(inputs);

        bool record = torch.is_grad_enabled() && AnyRequiresGrad(inputs);
        if (inplace && record)
            throw new ArgumentException(
                $"{Name}: inplace=true is not supported on a tensor that autograd records (it requires grad). " +
                "Use inplace: false, or run under torch.no_grad().", nameof(inplace));

        Tensor output;
        if (record) {
            output = ActivationFunction.Apply(this, inputs);
        } else {
            using var scope = torch.NewDisposeScope();
            output = Forward(inputs, save: null).MoveToOuterDisposeScope();
        }

        if (!inplace) return output;
        using (output) inputs[0].copy_(output);
        return inputs[0].alias();
    }

    static bool AnyRequiresGrad(Tensor[] inputs)
    {
        foreach (var t in inputs)
            if (t.requires_grad) return true;
        return false;
    }
}

/// <summary>An activation of one input tensor with no learnable parameters.</summary>
internal abstract class ElementwiseDefinition : ActivationDefinition
{
    /// <summary>Computes the activation; saves into <paramref name="save"/> what <see cref="Backward(Tensor, IReadOnlyList{Tensor})"/> reads.</summary>
    public abstract Tensor Forward(Tensor x, List<Tensor>? save);

    /// <summary>The gradient with respect to the input.</summary>
    public abstract Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved);

    public sealed override Tensor Forward(ReadOnlySpan<Tensor> inputs, List<Tensor>? save) => Forward(inputs[0], save);

    public sealed override Tensor?[] BackwardAll(Tensor grad, IReadOnlyList<Tensor> saved) => [Backward(grad, saved)];
}
