using TorchActivations.Core.Kernels;
using TorchActivations.Core;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>
    /// Mish(x) = x·tanh(softplus(x)), softplus(x) = ln(1 + eˣ).
    /// Mish'(x) = tanh(softplus(x)) + x·σ(x)·(1 − tanh²(softplus(x))), σ(x) = 1 / (1 + e^(−x)).
    /// Smooth and non-monotonic like SiLU; Mish'(0) = tanh(ln 2) = 0.6. Keeps only the input for backward.
    /// </summary>
    [Activation("mish", "Mish", Inplace = true)]
    internal sealed partial class MishDefinition : ElementwiseDefinition
    {
        // Saves x only (as PyTorch does); softplus, tanh and σ are recomputed in backward.

        public override string Name => "mish";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.mish(x[0]);

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            save?.Add(x);
            return KernelRunner.Forward(x, new MishForward()) ?? TanhSoftplus(x).mul_(x);
        }

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var x = saved[0];
            if (KernelRunner.Backward(x, grad, new MishBackward()) is { } fast) return fast;
            var t = TanhSoftplus(x);
            // tanh(sp) + x·σ(x)·(1 − tanh²(sp)): σ(x) = 0 where x → −∞, 1 − tanh² = 0 where x → +∞,
            // and x is finite, so no 0·∞ arises.
            var sech2 = (t * t).neg_().add_(One, One);
            return sech2.mul_(Ops.Logistic(x)).mul_(x).add_(t, One).mul_(grad);
        }

        // tanh(ln(1 + eˣ)), with ln(1 + eˣ) = max(x, 0) + ln(1 + e^(−|x|)): finite for every finite x,
        // and exact in the left tail where eˣ is tiny (ln(1 + eˣ) ≈ eˣ).
        static Tensor TanhSoftplus(Tensor x) => x.abs().neg_().exp_().log1p_().add_(x.clamp_min(Zero), One).tanh_();
    }
}
