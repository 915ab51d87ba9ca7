using TorchActivations.Core.Kernels;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core;

/// <summary>
/// Sigmoid linear unit, also called Swish (with β = 1). SiLU(x) = x·σ(x), σ(x) = 1 / (1 + e^(−x)).
/// SiLU'(x) = σ(x)·(1 + x·(1 − σ(x))). Smooth, non-monotonic (minimum ≈ −0.278 at x ≈ −1.278).
/// Keeps only the input for backward. For a learnable β see <see cref="Functional.swish"/>.
/// </summary>
[Activation("silu", "SiLU", Inplace = true)]
internal sealed partial class SiLUDefinition : ElementwiseDefinition
{
    public override string Name => "silu";
    public override Func<Tensor[], Tensor> Builtin => x => nn.functional.silu(x[0]);

    // Saves x (which autograd keeps anyway): σ(x) is recomputed in backward instead of stored.
    public override Tensor Forward(Tensor x, List<Tensor>? save)
    {
        save?.Add(x);
        if (KernelRunner.Forward(x, new SiLUForward()) is { } fast) return fast;
        // σ(x) is exactly 0 where e^(−x) overflows, so x·σ(x) is −0 there, never 0·∞.
        return Ops.Logistic(x).mul_(x);
    }

    public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
    {
        var x = saved[0];
        if (KernelRunner.Backward(x, grad, new SiLUBackward()) is { } fast) return fast;
        var s = Ops.Logistic(x);
        // σ(x)·(1 + x·(1 − σ(x))): for x → +∞ the product x·(1 − σ) is x·0 = 0, for x → −∞ the factor σ is 0;
        // x is finite, so neither gives 0·∞.
        var slope = s.neg().add_(One, One).mul_(x).add_(One, One).mul_(s);
        return slope.mul_(grad);
    }
}
