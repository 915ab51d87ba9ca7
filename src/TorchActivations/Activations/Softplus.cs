using TorchActivations.Core.Kernels;
using TorchActivations.Core;
using TorchActivations.Modules;
using TorchSharp;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    internal sealed class SoftplusDefinition(double beta, double threshold) : ElementwiseDefinition
    {
        public double Beta { get; } = Guard.Positive(beta, nameof(beta));
        public double Threshold { get; } = Guard.Finite(threshold, nameof(threshold));
        public override string Name => "softplus";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.softplus(x[0], Beta, Threshold);

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            save?.Add(x);
            if (KernelRunner.Forward(x, new SoftplusForward(Beta, Threshold)) is { } fast) return fast;
            var z = Beta == 1 ? x : x.mul(S(Beta));
            // ln(1 + e^z) = max(z, 0) + ln(1 + e^-|z|): finite for every finite z, exact where e^z underflows.
            var tail = z.abs().neg_().exp_().log1p_();
            if (Fused.SoftplusForward(x, tail, Beta, Threshold) is { } fused) return fused;
            var smooth = z.clamp_min(Zero).add_(tail, One);
            if (Beta != 1) smooth.div_(S(Beta));
            return FastPath.Where(x, Beta, Threshold, orEqual: false, x, smooth);
        }

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            if (KernelRunner.Backward(saved[0], grad, new SoftplusBackward(Beta, Threshold)) is { } fast) return fast;
            if (!torch.is_grad_enabled()) {
                // Not recorded: 1 / (1 + e^(−βx)) in place on one temporary, then a fused select.
                var scaled = saved[0].mul(S(-Beta));
                scaled.exp_();
                if (Fused.SoftplusBackward(saved[0], grad, scaled, Beta, Threshold) is { } fused) return fused;
                scaled.add_(One, One).reciprocal_().mul_(grad);
                return FastPath.Where(saved[0], Beta, Threshold, orEqual: false, grad, scaled);
            }
            var z = saved[0].mul(S(Beta));
            // e^z / (e^z + 1) written as 1 / (1 + e^-z): e^-z may overflow to +inf, giving exactly 0.
            var slope = z.neg().exp().add(One, One).reciprocal();
            return grad.where(z.gt(S(Threshold)), grad * slope);
        }
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.softplus"/>
    public sealed class Softplus : ActivationModule
    {
        internal Softplus(double beta, double threshold) : base(nameof(Softplus), new SoftplusDefinition(beta, threshold)) { }

        /// <summary>β: the larger, the closer to ReLU.</summary>
        public double beta => ((SoftplusDefinition)Definition).Beta;

        /// <summary>Above β·x &gt; threshold the function is the identity.</summary>
        public double threshold => ((SoftplusDefinition)Definition).Threshold;
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.softplus"/>
        public static Softplus Softplus(double beta = 1, double threshold = 20) => new(beta, threshold);
    }

    public static partial class Functional
    {
        /// <summary>
        /// Softplus, a smooth ReLU. Softplus(x) = ln(1 + e^(β·x)) / β, and x itself where β·x &gt; threshold.
        /// Softplus'(x) = e^(βx) / (e^(βx) + 1), and 1 where β·x &gt; threshold.
        /// </summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="beta">β &gt; 0. Default 1.</param>
        /// <param name="threshold">Where β·x exceeds it, the function reverts to the identity. Default 20.</param>
        public static Tensor softplus(Tensor input, double beta = 1, double threshold = 20) =>
            new SoftplusDefinition(beta, threshold).Apply(input);
    }
}
