using TorchActivations.Core;
using TorchActivations.Modules;
using TorchSharp;
using static TorchSharp.torch;
using Approximate = TorchSharp.Modules.GELU.Approximate;

namespace TorchActivations.Core
{
    internal sealed class GELUDefinition : ElementwiseDefinition
    {
        public static readonly GELUDefinition Exact = new(Approximate.none);
        public static readonly GELUDefinition Tanh = new(Approximate.tanh);

        GELUDefinition(Approximate approximate) => this.approximate = approximate;

        readonly Approximate approximate;
        public override string Name => "gelu";

        public static GELUDefinition For(Approximate approximate) => approximate switch {
            Approximate.none => Exact,
            Approximate.tanh => Tanh,
            _ => throw new ArgumentOutOfRangeException(nameof(approximate), approximate, "approximate must be none or tanh."),
        };

        const double InvSqrt2 = 0.70710678118654752440084436210485;
        const double InvSqrt2Pi = 0.39894228040143267793994605993438;
        const double Sqrt2OverPi = 0.79788456080286535587989211986876;
        const double Cubic = 0.044715;

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            save?.Add(x);
            // Torch computes erfc or tanh; one fused pass does the rest when it can (Fused, same operations).
            if (approximate == Approximate.none) {
                var complement = (x * -InvSqrt2).erfc_();
                return Fused.GeluForward(x, complement, tanh: false) ?? complement.mul_(0.5).mul_(x);
            }
            // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
            var t = TanhInnerFused(x).tanh_();
            return Fused.GeluForward(x, t, tanh: true) ?? (x * 0.5).mul_(t.add_(1));
        }

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var x = saved[0];
            bool recorded = torch.is_grad_enabled();
            if (approximate == Approximate.none && !recorded) {
                // Not recorded: the same arithmetic in place on fresh temporaries, or fused after erfc and exp.
                var (square, scaled) = Fused.GeluExactArguments(x, InvSqrt2) ?? (x.square().mul_(-0.5), x * -InvSqrt2);
                var gaussian = square.exp_();
                var complement = scaled.erfc_();
                if (Fused.GeluExactBackward(x, grad, complement, gaussian, InvSqrt2Pi) is { } fused) return fused;
                var xDensity = gaussian.mul_(InvSqrt2Pi).mul_(x);
                return complement.mul_(0.5).add_(xDensity).mul_(grad);
            }
            if (approximate == Approximate.none) {
                // Φ(x) + x·φ(x), φ(x) = e^(−x²/2) / √(2π)
                var density = (x * x * -0.5).exp() * InvSqrt2Pi;
                return grad * (CumulativeNormal(x) + x * density);
            }
            var t = recorded ? TanhInner(x).tanh() : TanhInnerFused(x).tanh_();
            if (!recorded && Fused.GeluTanhBackward(x, grad, t, 50, Sqrt2OverPi, 3 * Cubic) is { } fusedTanh) return fusedTanh;
            // 0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²). The second term needs x only where
            // 1 − t² ≠ 0, which is |x| < 10 in every dtype: x is clamped to ±50 there so that x² cannot
            // overflow (0·∞) even in float16, instead of masking the product afterwards.
            var xc = x.clamp(-50, 50);
            if (!recorded) {
                var innerFused = (xc * 0.5).mul_(Sqrt2OverPi).mul_(xc.square().mul_(3 * Cubic).add_(1));
                var sech2Fused = t.square().neg_().add_(1);
                return t.add_(1).mul_(0.5).add_(sech2Fused.mul_(innerFused)).mul_(grad);
            }
            var sech2 = 1 - t * t;
            var inner = xc * 0.5 * Sqrt2OverPi * (1 + xc * xc * (3 * Cubic));
            var slope = (1 + t) * 0.5 + sech2 * inner;
            return grad * slope;
        }

        // Φ(x) = erfc(−x/√2) / 2: accurate in the far left tail where 1 + erf(x/√2) cancels.
        static Tensor CumulativeNormal(Tensor x) => (x * -InvSqrt2).erfc() * 0.5;

        static Tensor TanhInner(Tensor x) => (x + x * x * x * Cubic) * Sqrt2OverPi;

        /// <summary><see cref="TanhInner"/> in one pass where it can: not differentiable.</summary>
        static Tensor TanhInnerFused(Tensor x) => Fused.GeluTanhInner(x, Cubic, Sqrt2OverPi) ?? TanhInner(x);
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.gelu"/>
    public sealed class GELU : ActivationModule
    {
        internal GELU(Approximate approximate, bool inplace) : base(nameof(GELU), GELUDefinition.For(approximate), inplace)
            => this.approximate = approximate;

        /// <summary>Exact (none) or the tanh approximation.</summary>
        public Approximate approximate { get; }
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.gelu"/>
        public static GELU GELU(Approximate approximate = Approximate.none, bool inplace = false) => new(approximate, inplace);
    }

    public static partial class Functional
    {
        /// <summary>
        /// Gaussian error linear unit. GELU(x) = x·Φ(x), Φ the standard normal CDF; GELU'(x) = Φ(x) + x·φ(x).
        /// With <c>approximate: tanh</c>, Φ(x) is replaced by (1 + tanh(√(2/π)·(x + 0.044715·x³))) / 2 and the
        /// derivative is that expression's exact derivative.
        /// </summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="approximate"><c>none</c> (exact, the default) or <c>tanh</c>.</param>
        /// <param name="inplace">Write the result into the input; only where autograd does not record.</param>
        public static Tensor gelu(Tensor input, Approximate approximate = Approximate.none, bool inplace = false) =>
            GELUDefinition.For(approximate).Apply(input, inplace);
    }
}
