using TorchActivations.Core.Kernels;
using TorchActivations.Core;
using TorchActivations.Modules;
using TorchSharp;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>
    /// The exponential-linear family: f(x) = scale·x for x ≥ 0, scale·α·(e^(s·x) − 1) for x &lt; 0,
    /// f'(x) = scale for x ≥ 0 (including 0), scale·α·s·e^(s·x) for x &lt; 0.
    /// ELU is (α, 1, 1), CELU is (α, 1, 1/α), SELU is (α₀₁, λ₀₁, 1).
    /// </summary>
    internal sealed class ExponentialLinearDefinition : ElementwiseDefinition
    {
        readonly double alpha, scale, inputScale, negativeSlopeScale;

        ExponentialLinearDefinition(string name, double alpha, double scale, double inputScale, double negativeSlopeScale)
        {
            Name = name;
            this.alpha = alpha;
            this.scale = scale;
            this.inputScale = inputScale;
            this.negativeSlopeScale = negativeSlopeScale;
        }

        public override string Name { get; }

        public override Func<Tensor[], Tensor> Builtin => Name switch {
            "elu" => x => nn.functional.elu(x[0], alpha),
            "celu" => x => nn.functional.celu(x[0], alpha),
            _ => x => nn.functional.selu(x[0]),
        };
        public double Alpha => alpha;

        public static ExponentialLinearDefinition Elu(double alpha) =>
            new("elu", Guard.Finite(alpha, nameof(alpha)), 1, 1, alpha);

        public static ExponentialLinearDefinition Celu(double alpha) =>
            new("celu", Guard.Positive(alpha, nameof(alpha)), 1, 1 / alpha, 1);

        // Full-precision constants of Klambauer et al. (2017), not the rounded 1.6733 and 1.0507.
        public const double SeluAlpha = 1.6732632423543772848170429916717;
        public const double SeluScale = 1.0507009873554804934193349852946;
        public static readonly ExponentialLinearDefinition Selu = new("selu", SeluAlpha, SeluScale, 1, SeluScale * SeluAlpha);

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            save?.Add(x);
            if (KernelRunner.Forward(x, new ExponentialLinearForward(scale, inputScale, alpha * scale)) is { } fast) return fast;
            if (Fused.Eligible(x, x)) {
                // The fused select never reads the negative branch where x ≥ 0, so it is computed from x itself
                // (s > 0: s·x is s·min(x, 0) wherever it is read). expm1(s·x) = 2t / (1 − t) with t = tanh(s·x/2),
                // s·0.5 being exact: torch's standalone expm1 is several times slower than its tanh.
                var t = x.mul(S(inputScale * 0.5)).tanh_();
                return Fused.EluForwardFromTanh(x, t, scale, alpha * scale)!;
            }
            // expm1 keeps full precision near 0; clamping to x ≤ 0 keeps the unused branch finite.
            var negativePart = x.clamp_max(Zero);
            if (inputScale != 1) negativePart.mul_(S(inputScale));
            negativePart.expm1_();
            if (alpha * scale != 1) negativePart.mul_(S(alpha * scale));
            // scale·max(x, 0) + negative part: where one term applies the other is exactly 0, so the sum
            // equals the select without one (torch's where with a bool mask is slow on the CPU).
            var positivePart = x.clamp_min(Zero);
            if (scale != 1) positivePart.mul_(S(scale));
            return negativePart.add_(positivePart, One);
        }

        // Out-of-place arithmetic: with create_graph this runs under autograd and must stay differentiable.
        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var x = saved[0];
            if (KernelRunner.Backward(x, grad, new ExponentialLinearBackward(scale, inputScale, negativeSlopeScale)) is { } fast) return fast;
            if (!torch.is_grad_enabled() && Fused.Eligible(x, grad)) {
                // As in forward: the fused select reads exp(s·x) only where x < 0.
                var t = inputScale == 1 ? x.exp() : x.mul(S(inputScale)).exp_();
                return Fused.EluBackward(x, grad, t, scale, negativeSlopeScale)!;
            }
            if (!torch.is_grad_enabled()) {
                // Not recorded: the same arithmetic in place on fresh temporaries, and a select.
                var slope = x.clamp_max(Zero);
                if (inputScale != 1) slope.mul_(S(inputScale));
                slope.exp_();
                if (negativeSlopeScale != 1) slope.mul_(S(negativeSlopeScale));
                slope.mul_(grad);
                return FastPath.Where(x, 1, 0, orEqual: true, scale == 1 ? grad : grad.mul(S(scale)), slope);
            }
            var negativeSlope = x.clamp_max(Zero).mul(S(inputScale)).exp().mul(S(negativeSlopeScale));
            var positiveSlope = scale == 1 ? grad : grad.mul(S(scale));
            return positiveSlope.where(x.ge(Zero), negativeSlope * grad);
        }
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.elu"/>
    public sealed class ELU : ActivationModule
    {
        internal ELU(double alpha, bool inplace) : base(nameof(ELU), ExponentialLinearDefinition.Elu(alpha), inplace) { }

        /// <summary>The α of α·(eˣ − 1) for x &lt; 0.</summary>
        public double alpha => ((ExponentialLinearDefinition)Definition).Alpha;
    }

    /// <inheritdoc cref="Functional.celu"/>
    public sealed class CELU : ActivationModule
    {
        internal CELU(double alpha, bool inplace) : base(nameof(CELU), ExponentialLinearDefinition.Celu(alpha), inplace) { }

        /// <summary>The α of α·(e^(x/α) − 1) for x &lt; 0.</summary>
        public double alpha => ((ExponentialLinearDefinition)Definition).Alpha;
    }

    /// <inheritdoc cref="Functional.selu"/>
    public sealed class SELU : ActivationModule
    {
        internal SELU(bool inplace) : base(nameof(SELU), ExponentialLinearDefinition.Selu, inplace) { }
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.elu"/>
        public static ELU ELU(double alpha = 1.0, bool inplace = false) => new(alpha, inplace);

        /// <inheritdoc cref="Functional.celu"/>
        public static CELU CELU(double alpha = 1.0, bool inplace = false) => new(alpha, inplace);

        /// <inheritdoc cref="Functional.selu"/>
        public static SELU SELU(bool inplace = false) => new(inplace);
    }

    public static partial class Functional
    {
        /// <summary>
        /// Exponential linear unit. ELU(x) = x for x ≥ 0, α·(eˣ − 1) for x &lt; 0.
        /// ELU'(x) = 1 for x ≥ 0 (including 0), α·eˣ for x &lt; 0; differentiable at 0 only when α = 1.
        /// </summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="alpha">α, any finite number. Default 1.</param>
        /// <param name="inplace">Write the result into the input; only where autograd does not record.</param>
        public static Tensor elu(Tensor input, double alpha = 1.0, bool inplace = false) =>
            ExponentialLinearDefinition.Elu(alpha).Apply(input, inplace);

        /// <summary>
        /// Continuously differentiable ELU. CELU(x) = x for x ≥ 0, α·(e^(x/α) − 1) for x &lt; 0.
        /// CELU'(x) = 1 for x ≥ 0, e^(x/α) for x &lt; 0.
        /// </summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="alpha">α &gt; 0. Default 1.</param>
        /// <param name="inplace">Write the result into the input; only where autograd does not record.</param>
        public static Tensor celu(Tensor input, double alpha = 1.0, bool inplace = false) =>
            ExponentialLinearDefinition.Celu(alpha).Apply(input, inplace);

        /// <summary>
        /// Scaled ELU. SELU(x) = λ·x for x ≥ 0, λ·α·(eˣ − 1) for x &lt; 0,
        /// with α = 1.6732632423543772848170429916717 and λ = 1.0507009873554804934193349852946.
        /// SELU'(x) = λ for x ≥ 0 (including 0), λ·α·eˣ for x &lt; 0.
        /// </summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="inplace">Write the result into the input; only where autograd does not record.</param>
        public static Tensor selu(Tensor input, bool inplace = false) =>
            ExponentialLinearDefinition.Selu.Apply(input, inplace);
    }
}
