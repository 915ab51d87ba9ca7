using System.Numerics;
using System.Runtime.Intrinsics;
using static TorchActivations.Core.Kernels.V;

namespace TorchActivations.Core.Kernels;

// One struct per formula, run by KernelRunner. Forward kernels read x; backward kernels read what forward
// saved (x for all of these) and the output gradient. Each derivative is the analytic derivative of its
// forward formula, written in a form without cancellation or 0·∞ for every input, ±∞ and NaN included.

/// <summary>SiLU: x·σ(x); slope σ(x) + x·σ(x)(1 − σ(x)).</summary>
[Widened]
internal readonly partial struct SiLUForward : IForwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => x * VectorMath.Sigmoid(x);
}

/// <inheritdoc cref="SiLUForward"/>
[Widened]
internal readonly partial struct SiLUBackward : IBackwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = Sigmoid(x, out var ds);
        return (s + x * ds) * g;
    }
}

/// <summary>Hardswish: x·clamp(x + 3, 0, 6)/6; slope 0 for x ≤ −3, 1 for x ≥ 3, x/3 + 1/2 between.</summary>
[Widened]
internal readonly partial struct HardswishForward : IForwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Clamp(x + C<T>(3), Vector256<T>.Zero, C<T>(6)) / C<T>(6) * x;
}

/// <inheritdoc cref="HardswishForward"/>
[Widened]
internal readonly partial struct HardswishBackward : IBackwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var slope = x / C<T>(3) + C<T>(0.5);
        slope = Vector256.ConditionalSelect(Vector256.LessThanOrEqual(x, C<T>(-3)), Vector256<T>.Zero, slope);
        slope = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, C<T>(3)), Vector256<T>.One, slope);
        return slope * g;
    }
}

/// <summary>
/// The exponential-linear family: x ≥ 0 ? scale·x : alphaScale·expm1(inputScale·x);
/// slope x ≥ 0 ? scale : slopeScale·e^(inputScale·x). A factor of exactly 1 multiplies exactly, so ELU's
/// positive side is x itself.
/// </summary>
[Widened]
internal readonly partial struct ExponentialLinearForward(double scale, double inputScale, double alphaScale) : IForwardKernel
{
    readonly Constant scale = new(scale), inputScale = new(inputScale), alphaScale = new(alphaScale);

    public Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var negative = VectorMath.Expm1(x * inputScale.Vector<T>()) * alphaScale.Vector<T>();
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<T>.Zero), x * scale.Vector<T>(), negative);
    }
}

/// <inheritdoc cref="ExponentialLinearForward"/>
[Widened]
internal readonly partial struct ExponentialLinearBackward(double scale, double inputScale, double slopeScale) : IBackwardKernel
{
    readonly Constant scale = new(scale), inputScale = new(inputScale), slopeScale = new(slopeScale);

    public Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var negative = VectorMath.Exp(x * inputScale.Vector<T>()) * slopeScale.Vector<T>() * g;
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<T>.Zero), g * scale.Vector<T>(), negative);
    }
}

/// <summary>
/// Softplus: z = βx; z &gt; threshold ? x : (max(z, 0) + log1p(e^(−|z|)))/β; slope z &gt; threshold ? 1 : σ(z).
/// </summary>
[Widened]
internal readonly partial struct SoftplusForward(double beta, double threshold) : IForwardKernel
{
    readonly Constant beta = new(beta), threshold = new(threshold);

    public Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var b = beta.Vector<T>();
        var z = x * b;
        var positive = Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256<T>.Zero), z, Vector256<T>.Zero);
        var smooth = (positive + VectorMath.Log1pExpMinus(Vector256.Abs(z))) / b;
        return Vector256.ConditionalSelect(Vector256.GreaterThan(z, threshold.Vector<T>()), x, smooth);
    }
}

/// <inheritdoc cref="SoftplusForward"/>
[Widened]
internal readonly partial struct SoftplusBackward(double beta, double threshold) : IBackwardKernel
{
    readonly Constant beta = new(beta), threshold = new(threshold);

    public Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var z = x * beta.Vector<T>();
        return Vector256.ConditionalSelect(Vector256.GreaterThan(z, threshold.Vector<T>()), g, VectorMath.Sigmoid(z) * g);
    }
}

/// <summary>LogSigmoid: min(x, 0) − log1p(e^(−|x|)); slope σ(−x).</summary>
[Widened]
internal readonly partial struct LogSigmoidForward : IForwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var negative = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<T>.Zero), x, Vector256<T>.Zero);
        return negative - VectorMath.Log1pExpMinus(Vector256.Abs(x));
    }
}

/// <inheritdoc cref="LogSigmoidForward"/>
[Widened]
internal readonly partial struct LogSigmoidBackward : IBackwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T> =>
        VectorMath.Sigmoid(-x) * g;
}

/// <summary>
/// Mish: x·tanh(softplus(x)). With e = eˣ, tanh(ln(1 + e)) = n/(n + 2) and 1 − tanh² = 4(n + 1)/(n + 2)²
/// where n = e(e + 2): no log, no tanh, no cancellation. Above x = 20 tanh(softplus x) is 1 to double
/// precision (n would overflow further up), so it is taken as 1 and its complement as 0.
/// Slope: tanh(sp) + x·σ(x)·(1 − tanh²(sp)).
/// </summary>
[Widened]
internal readonly partial struct MishForward : IForwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var t = MishMath.TanhSoftplus(x, out _);
        return x * t;
    }
}

/// <inheritdoc cref="MishForward"/>
[Widened]
internal readonly partial struct MishBackward : IBackwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var t = MishMath.TanhSoftplus(x, out var sech2);
        return (t + x * VectorMath.Sigmoid(x) * sech2) * g;
    }
}

[Widened]
internal static partial class MishMath
{
    public static Vector256<T> TanhSoftplus<T>(Vector256<T> x, out Vector256<T> sech2) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var large = Vector256.GreaterThan(x, C<T>(20));
        var e = VectorMath.Exp(Vector256.ConditionalSelect(large, Vector256<T>.Zero, x));
        var n = e * (e + C<T>(2));
        var d = n + C<T>(2);
        var t = n / d;
        sech2 = Vector256.ConditionalSelect(large, Vector256<T>.Zero, C<T>(4) * (n + Vector256<T>.One) / (d * d));
        return Vector256.ConditionalSelect(large, Vector256<T>.One, t);
    }
}

/// <summary>Tanhshrink: x − tanh x; slope tanh²x.</summary>
[Widened]
internal readonly partial struct TanhshrinkForward : IForwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => x - VectorMath.Tanh(x);
}

/// <inheritdoc cref="TanhshrinkForward"/>
[Widened]
internal readonly partial struct TanhshrinkBackward : IBackwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var t = VectorMath.Tanh(x);
        return t * t * g;
    }
}

/// <summary>Exact GELU: x·Φ(x); slope Φ(x) + x·φ(x), Φ and φ from one e^(−x²/2).</summary>
[Widened]
internal readonly partial struct GELUForward : IForwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => x * VectorMath.NormalCdfUnguarded(x, out _);
}

/// <inheritdoc cref="GELUForward"/>
[Widened]
internal readonly partial struct GELUBackward : IBackwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T> =>
        VectorMath.GeluSlope(x) * g;
}

/// <summary>
/// Tanh GELU: ½x(1 + tanh u) written as x·σ(2u), u = √(2/π)·x·(1 + 0.044715x²), which has no 1 + tanh u to
/// cancel in the left tail. Slope σ(2u) + x·σ(2u)(1 − σ(2u))·2u', u' = √(2/π)(1 + 3·0.044715x²); beyond
/// |x| = 50 the factor σ(2u)(1 − σ(2u)) is 0 in every dtype, so x is clamped to ±50 in that term, where x²
/// could otherwise overflow and give 0·∞.
/// </summary>
[Widened]
internal readonly partial struct GELUTanhForward : IForwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        x * VectorMath.Sigmoid(GELUTanhMath.TwiceArgument(x));
}

/// <inheritdoc cref="GELUTanhForward"/>
[Widened]
internal readonly partial struct GELUTanhBackward : IBackwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = Sigmoid(GELUTanhMath.TwiceArgument(x), out var ds);
        var xc = Clamp(x, C<T>(-50), C<T>(50));
        var twiceSlope = (xc * xc * C<T>(3 * GELUTanhMath.Cubic) + Vector256<T>.One) * C<T>(2 * GELUTanhMath.Sqrt2OverPi);
        return (s + xc * ds * twiceSlope) * g;
    }
}

[Widened]
internal static partial class GELUTanhMath
{
    public const double Sqrt2OverPi = 0.79788456080286535587989211986876;
    public const double Cubic = 0.044715;

    /// <summary>2u = 2√(2/π)·x·(1 + 0.044715x²).</summary>
    public static Vector256<T> TwiceArgument<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        (x * x * C<T>(Cubic) + Vector256<T>.One) * x * C<T>(2 * Sqrt2OverPi);
}

/// <summary>
/// Hardsigmoid: clamp(x + 3, 0, 6)/6; slope 1/6 strictly inside (−3, 3), 0 elsewhere (0 at both kinks, as
/// PyTorch's built-in gives). NaN is not blocked, so it passes g/6 on as the composed select does.
/// </summary>
[Widened]
internal readonly partial struct HardsigmoidForward : IForwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Clamp(x + C<T>(3), Vector256<T>.Zero, C<T>(6)) / C<T>(6);
}

/// <inheritdoc cref="HardsigmoidForward"/>
[Widened]
internal readonly partial struct HardsigmoidBackward : IBackwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var blocked = Vector256.LessThanOrEqual(x, C<T>(-3)) | Vector256.GreaterThanOrEqual(x, C<T>(3));
        return Vector256.ConditionalSelect(blocked, Vector256<T>.Zero, g / C<T>(6));
    }
}

/// <summary>A kernel made for one value of a per-channel parameter (PReLU's slope, Swish's β); see <see cref="PerChannelKernels"/>.</summary>
internal interface IPerChannelKernel<TSelf> where TSelf : struct
{
    static abstract TSelf For(double parameter);
}

/// <summary>PReLU with one slope a: x ≥ 0 ? x : a·x (NaN takes a·x, as torch.where(x ≥ 0, x, a·x) does).</summary>
[Widened]
internal readonly partial struct PReLUForward(double slope) : IForwardKernel, IPerChannelKernel<PReLUForward>
{
    readonly Constant slope = new(slope);

    public static PReLUForward For(double slope) => new(slope);

    public Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<T>.Zero), x, x * slope.Vector<T>());
}

/// <summary>PReLU's input gradient, x ≥ 0 ? g : a·g, and the terms of the slope's gradient, x ≥ 0 ? 0 : g·x.</summary>
[Widened]
internal readonly partial struct PReLUBackward(double slope) : IParameterBackwardKernel, IPerChannelKernel<PReLUBackward>
{
    readonly Constant slope = new(slope);

    public static PReLUBackward For(double slope) => new(slope);

    public Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> g, out Vector256<T> term) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var nonNegative = Vector256.GreaterThanOrEqual(x, Vector256<T>.Zero);
        term = Vector256.ConditionalSelect(nonNegative, Vector256<T>.Zero, g * x);
        return Vector256.ConditionalSelect(nonNegative, g, g * slope.Vector<T>());
    }
}

/// <summary>Swish with one β, x·σ(βx); QuickGELU is β = 1.702.</summary>
[Widened]
internal readonly partial struct SwishForward(double beta) : IForwardKernel, IPerChannelKernel<SwishForward>
{
    readonly Constant beta = new(beta);

    public static SwishForward For(double beta) => new(beta);

    // σ(βx) is exactly 0 or 1 where βx is huge or ±∞, so the product stays finite.
    public Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        VectorMath.Sigmoid(x * beta.Vector<T>()) * x;
}

/// <summary>
/// Swish's input gradient, σ(z) + z·σ'(z), and the terms of β's gradient, (σ'(z)·x)·x·g, with z = βx held
/// finite (an overflowed βx gives the same σ and σ' = 0, where ∞·0 would be NaN). σ'·x comes first: it is at
/// most |x|/4, and 0 where |βx| is large. As an <see cref="IBackwardKernel"/> (QuickGELU) the terms go unused.
/// </summary>
[Widened]
internal readonly partial struct SwishBackward(double beta) : IBackwardKernel, IParameterBackwardKernel, IPerChannelKernel<SwishBackward>
{
    readonly Constant beta = new(beta);

    public static SwishBackward For(double beta) => new(beta);

    public Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> g, out Vector256<T> term) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var z = Finite(x * beta.Vector<T>());
        var s = Sigmoid(z, out var ds);
        term = ds * x * x * g;
        return (s + z * ds) * g;
    }

    public Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T> => Invoke(x, g, out _);
}

/// <summary>RReLU's sampled slopes: 1 where x ≥ 0, the uniform sample u elsewhere (NaN takes u).</summary>
[Widened]
internal readonly partial struct RReLUSlope : IBackwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> u) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<T>.Zero), Vector256<T>.One, u);
}
