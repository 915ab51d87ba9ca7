using TorchActivations.Core.Kernels;
using TorchActivations.Core;
using TorchActivations.Modules;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>Saves x (which autograd keeps anyway): σ(x) is recomputed in backward instead of stored.</summary>
    internal sealed class SiLUDefinition : ElementwiseDefinition
    {
        public static readonly SiLUDefinition Instance = new();
        public override string Name => "silu";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.silu(x[0]);

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
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.silu"/>
    public sealed class SiLU : ActivationModule
    {
        internal SiLU(bool inplace) : base(nameof(SiLU), SiLUDefinition.Instance, inplace) { }
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.silu"/>
        public static SiLU SiLU(bool inplace = false) => new(inplace);
    }

    public static partial class Functional
    {
        /// <summary>
        /// Sigmoid linear unit, also called Swish (with β = 1). SiLU(x) = x·σ(x), σ(x) = 1 / (1 + e^(−x)).
        /// SiLU'(x) = σ(x)·(1 + x·(1 − σ(x))). Smooth, non-monotonic (minimum ≈ −0.278 at x ≈ −1.278).
        /// Keeps only the input for backward. For a learnable β see <see cref="swish"/>.
        /// </summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="inplace">Write the result into the input; only where autograd does not record.</param>
        public static Tensor silu(Tensor input, bool inplace = false) => SiLUDefinition.Instance.Apply(input, inplace);
    }
}
