using TorchActivations.Core;
using TorchActivations.Core.Kernels;
using TorchActivations.Modules;
using TorchSharp;
using static TorchSharp.torch;
using Approximate = TorchSharp.Modules.GELU.Approximate;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    internal sealed class GELUDefinition : UnaryDefinition
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
            if (approximate == Approximate.none)
                return KernelRunner.Forward(x, new GELUForward()) ?? CumulativeNormal(x).mul_(x);
            // ½x(1 + tanh u) = x·σ(2u): no 1 + tanh u to cancel in the left tail.
            return KernelRunner.Forward(x, new GELUTanhForward()) ?? Ops.Logistic(TwiceTanhArgument(x)).mul_(x);
        }

        public override Tensor? UnrecordedBackward(Tensor grad, IReadOnlyList<Tensor> saved) =>
            approximate == Approximate.none
                ? KernelRunner.Backward(saved[0], grad, new GELUBackward())
                : KernelRunner.Backward(saved[0], grad, new GELUTanhBackward());

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var x = saved[0];
            if (approximate == Approximate.none) {
                // Φ(x) + x·φ(x), φ(x) = e^(−x²/2) / √(2π)
                var density = (x * x).mul(S(-0.5)).exp().mul(S(InvSqrt2Pi));
                return grad * CumulativeNormal(x).add(x * density, One);
            }
            // σ(2u) + x·σ(2u)·σ(−2u)·2u': σ(−2u) instead of 1 − σ(2u), which cancels for large u. σ(2u)·σ(−2u)
            // is 0 beyond |x| = 50 in every dtype, so x is clamped to ±50 in that term: x² cannot overflow (0·∞)
            // even in float16.
            var twiceU = TwiceTanhArgument(x);
            var s = Ops.Logistic(twiceU);
            var xc = x.clamp(S(-50), S(50));
            var twiceSlope = (xc * xc).mul(S(3 * Cubic)).add(One, One).mul(S(2 * Sqrt2OverPi));
            return grad * s.add(xc * s * Ops.Logistic(twiceU.neg()) * twiceSlope, One);
        }

        // Φ(x) = erfc(−x/√2) / 2: accurate in the far left tail where 1 + erf(x/√2) cancels.
        static Tensor CumulativeNormal(Tensor x) => x.mul(S(-InvSqrt2)).erfc().mul(S(0.5));

        /// <summary>2u = 2√(2/π)·x·(1 + 0.044715x²).</summary>
        static Tensor TwiceTanhArgument(Tensor x) => (x * x).mul(S(Cubic)).add(One, One).mul(x).mul(S(2 * Sqrt2OverPi));
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
