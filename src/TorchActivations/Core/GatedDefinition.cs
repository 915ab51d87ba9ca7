using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Core;

/// <summary>
/// The gated linear units a ⊗ act(b) over the halves a (first, the value) and b (second, the gate) of the input
/// along <see cref="Dim"/>, PyTorch's glu order. The gate's activation is an existing element-wise definition, so
/// its value and derivative (and their overflow handling) are the ones the package already checks.
/// </summary>
/// <remarks>
/// Saves only the input: backward takes its halves as views and recomputes act(b) together with what the gate's
/// own backward needs, so no product or activation output is kept between forward and backward.
/// </remarks>
internal abstract class GatedDefinition(long dim) : ActivationDefinition
{
    public long Dim { get; } = dim;

    /// <summary>The activation applied to the gate half b.</summary>
    protected abstract ElementwiseDefinition Gate { get; }

    /// <summary>The value half times the gate's own built-in counterpart of the gate half.</summary>
    public sealed override Func<Tensor[], Tensor>? Builtin => Gate.Builtin is { } gate
        ? x => {
            var halves = x[0].chunk(2, Dim);
            return halves[0] * gate([halves[1]]);
        }
        : null;

    public override void CheckInputs(ReadOnlySpan<Tensor> inputs)
    {
        var x = inputs[0];
        if (x.dim() == 0)
            throw new ArgumentException($"{Name} needs an input with at least one dimension to split in halves; input is 0-D.", "input");
        long d = Guard.Dim(Dim, x);
        if (x.size((int)d) % 2 != 0)
            throw new ArgumentException(
                $"{Name} splits the input along dim {Dim} into a value half and a gate half, so its size there must be even; " +
                $"input has shape [{string.Join(", ", x.shape)}], size {x.size((int)d)} along dim {d}.", "dim");
    }

    public override Tensor Forward(ReadOnlySpan<Tensor> inputs, List<Tensor>? save)
    {
        var x = inputs[0];
        save?.Add(x);
        var (a, b) = Halves(x, out _);
        return Gate.Forward(b, save: null).mul_(a);
    }

    public override Tensor?[] BackwardAll(Tensor grad, IReadOnlyList<Tensor> saved)
    {
        var (a, b) = Halves(saved[0], out long d);
        var gateSaved = new List<Tensor>(1);
        Tensor gate;
        if (torch.is_grad_enabled()) {
            // Under create_graph autograd records this backward, so act(b) must be differentiable: the gate's forward
            // is not (fused kernels, in-place steps), the gate applied as the package's activation is, with its own
            // derivative. The forward then only collects what the gate's backward reads (b itself, or a mask).
            using (torch.no_grad()) Gate.Forward(b, gateSaved);
            gate = Gate.Apply(b);
        } else {
            gate = Gate.Forward(b, gateSaved);
        }
        // ∂/∂a = act(b); ∂/∂b = a·act'(b), which is the gate's own backward applied to the incoming gradient times a.
        // Out of place, so that the result stays differentiable under create_graph.
        var gradA = grad.mul(gate);
        var gradB = Gate.Backward(grad.mul(a), gateSaved);
        return [torch.cat([gradA, gradB], d)];
    }

    (Tensor A, Tensor B) Halves(Tensor x, out long d)
    {
        d = Dim < 0 ? Dim + x.dim() : Dim;
        long half = x.size((int)d) / 2;
        return (x.narrow(d, 0, half), x.narrow(d, half, half));
    }
}
