using TorchActivations.Core;
using TorchActivations.Core.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>
    /// QuickGELU, the activation of OpenAI's CLIP: QuickGELU(x) = x·σ(1.702·x), σ(z) = 1 / (1 + e^(−z)), a sigmoid
    /// approximation of <see cref="Functional.gelu"/> (within 0.021 of it, the largest gap near x = −2.27). It is <see cref="Functional.swish"/> with a fixed β = 1.702;
    /// CLIP checkpoints were trained with it, so ports of CLIP need it rather than the exact GELU.
    /// QuickGELU'(x) = σ(z)·(1 + z·(1 − σ(z))), z = 1.702·x. Keeps only the input for backward.
    /// </summary>
    [Activation("quick_gelu", "QuickGELU", Inplace = true)]
    internal sealed partial class QuickGELUDefinition : UnaryDefinition
    {
        // Saves x (which autograd keeps anyway): σ(1.702·x) is recomputed in backward instead of stored.

        public override string Name => "quick_gelu";
        // No built-in op: the formula in built-in ops.
        public override Func<Tensor[], Tensor> Builtin => x => x[0] * torch.sigmoid(x[0] * Slope);

        /// <summary>CLIP's constant: σ(1.702·x) approximates the normal CDF Φ(x).</summary>
        public const double Slope = 1.702;

        static readonly Scalar K = Scalars.S(Slope);

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            save?.Add(x);
            // σ(kx) is exactly 0 or 1 where kx is huge (even ±∞ after overflow), so x·σ(kx) stays finite.
            return KernelRunner.Forward(x, new SwishForward(Slope)) ?? Ops.Logistic(x.mul(K)).mul_(x);
        }

        public override Tensor? UnrecordedBackward(Tensor grad, IReadOnlyList<Tensor> saved) =>
            KernelRunner.Backward(saved[0], grad, new SwishBackward(Slope));

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var x = saved[0];
            // kx overflows to ±∞ in float32 beyond 2e38: the largest finite value gives the same σ and keeps
            // z·(1 − σ) from being ∞·0.
            var z = x.mul(K).nan_to_num_(nan: double.NaN);
            var s = Ops.Logistic(z);
            // σ(z)·(1 + z·(1 − σ(z))), z = kx. Out of place, so that it stays differentiable under create_graph.
            var oneMinus = s.neg().add(Scalars.One, Scalars.One);
            return oneMinus.mul(z).add(Scalars.One, Scalars.One).mul(s).mul(grad);
        }
    }
}
