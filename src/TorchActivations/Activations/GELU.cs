using TorchActivations.Core;
using TorchActivations.Modules;
using TorchSharp;
using static TorchSharp.torch;
using Approximate = TorchSharp.Modules.GELU.Approximate;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    internal sealed class GELUDefinition : ElementwiseDefinition
    {
        public static readonly GELUDefinition Exact = new(Approximate.none);
        public static readonly GELUDefinition Tanh = new(Approximate.tanh);

        GELUDefinition(Approximate approximate) => this.approximate = approximate;

        readonly Approximate approximate;
        public override string Name => "gelu";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.gelu(x[0], approximate);

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
                var complement = x.mul(S(-InvSqrt2)).erfc_();
                return Fused.GeluForward(x, complement, tanh: false) ?? complement.mul_(S(0.5)).mul_(x);
            }
            // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
            var t = TanhInnerFused(x).tanh_();
            return Fused.GeluForward(x, t, tanh: true) ?? x.mul(S(0.5)).mul_(t.add_(One, One));
        }

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var x = saved[0];
            bool recorded = torch.is_grad_enabled();
            if (approximate == Approximate.none && !recorded) {
                // Not recorded: the same arithmetic in place on fresh temporaries, or fused after erfc and exp.
                var (square, scaled) = Fused.GeluExactArguments(x, InvSqrt2) ?? ((x * x).mul_(S(-0.5)), x.mul(S(-InvSqrt2)));
                var gaussian = square.exp_();
                var complement = scaled.erfc_();
                if (Fused.GeluExactBackward(x, grad, complement, gaussian, InvSqrt2Pi) is { } fused) return fused;
                var xDensity = gaussian.mul_(S(InvSqrt2Pi)).mul_(x);
                return complement.mul_(S(0.5)).add_(xDensity, One).mul_(grad);
            }
            if (approximate == Approximate.none) {
                // Φ(x) + x·φ(x), φ(x) = e^(−x²/2) / √(2π)
                var density = (x * x).mul(S(-0.5)).exp().mul(S(InvSqrt2Pi));
                return grad * CumulativeNormal(x).add(x * density, One);
            }
            var t = recorded ? TanhInner(x).tanh() : TanhInnerFused(x).tanh_();
            if (!recorded && Fused.GeluTanhBackward(x, grad, t, 50, Sqrt2OverPi, 3 * Cubic) is { } fusedTanh) return fusedTanh;
            // 0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²). The second term needs x only where
            // 1 − t² ≠ 0, which is |x| < 10 in every dtype: x is clamped to ±50 there so that x² cannot
            // overflow (0·∞) even in float16, instead of masking the product afterwards.
            var xc = x.clamp(S(-50), S(50));
            if (!recorded) {
                var innerFused = xc.mul(S(0.5)).mul_(S(Sqrt2OverPi)).mul_((xc * xc).mul_(S(3 * Cubic)).add_(One, One));
                var sech2Fused = (t * t).neg_().add_(One, One);
                return t.add_(One, One).mul_(S(0.5)).add_(sech2Fused.mul_(innerFused), One).mul_(grad);
            }
            var sech2 = (t * t).neg().add(One, One);
            var inner = xc.mul(S(0.5)).mul(S(Sqrt2OverPi)) * (xc * xc).mul(S(3 * Cubic)).add(One, One);
            var slope = t.add(One, One).mul(S(0.5)).add(sech2 * inner, One);
            return grad * slope;
        }

        // Φ(x) = erfc(−x/√2) / 2: accurate in the far left tail where 1 + erf(x/√2) cancels.
        static Tensor CumulativeNormal(Tensor x) => x.mul(S(-InvSqrt2)).erfc().mul(S(0.5));

        static Tensor TanhInner(Tensor x) => x.add((x * x * x).mul(S(Cubic)), One).mul(S(Sqrt2OverPi));

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
