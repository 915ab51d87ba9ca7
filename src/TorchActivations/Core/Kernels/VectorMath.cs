using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TorchActivations.Core.Kernels;

/// <summary>
/// Vectorised exp, expm1, log1p, tanh, sigmoid, erf, erfc and the normal CDF for float32 and float64. The
/// exponential family is written from the math: a Cody–Waite reduction by ln 2, a truncated Taylor series on
/// the reduced argument and an exponent built from bits; erfc is e^(−x²) times one fitted polynomial (see
/// its section). Every lane is computed the same way whatever its neighbours hold, and no function throws,
/// so the kernels can run inside autograd's backward. Accuracy (max ulp error against a double-double
/// reference) is stated in docs/performance.md and held by the tests in MathFunctionTests.
/// </summary>
/// <remarks>
/// Polynomials and reductions use fused multiply-add where the CPU has it (x64 FMA3), separate multiply and
/// add elsewhere; the ulp bounds hold for both (the tests run whichever the machine has). Only AVX2-level
/// integer operations are used (no 64-bit arithmetic shift or int64↔double conversion, which need AVX-512):
/// integers travel through doubles by the 1.5·2⁵² shifter. Each function is written for 256-bit vectors; the
/// generator gives it a 512-bit twin (<see cref="WidenedAttribute"/>) that takes the same steps, so both
/// widths round alike and are held to the same bounds. The float32 ln(1 + e^(−a)) of softplus and log-sigmoid
/// evaluates in float64 on AVX-512 (hand-written at both widths) and has a 256-bit fallback with its own,
/// looser bound (both held by the tests).
/// </remarks>
[Widened]
internal static partial class VectorMath
{
    // ln 2 split so that k·Ln2Hi is exact for every k the reductions produce (|k| < 2¹¹).
    const double Ln2Hi = 6.93147180369123816490e-01;
    const double Ln2Lo = 1.90821492927058770002e-10;
    const double Log2E = 1.4426950408889634;
    // x + 1.5·2⁵² rounds x to an integer and leaves it in the low bits of the result.
    const double Shifter = 6755399441055744.0;
    const long ShifterBits = 0x4338000000000000;
    const long HalfSqrt2Bits = 0x3FE6A09E667F3BCD;

    const float Ln2HiF = 0.693359375f;
    const float Ln2LoF = -2.12194440e-4f;
    const float Log2EF = 1.44269504f;
    const float ShifterF = 12582912f;
    const int HalfSqrt2BitsF = 0x3F3504F3;

    // ---- generic entry points: the JIT keeps only the branch of the instantiated type ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Exp<T>(Vector256<T> x) where T : unmanaged =>
        typeof(T) == typeof(float) ? Exp(x.AsSingle()).As<float, T>() : Exp(x.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Expm1<T>(Vector256<T> x) where T : unmanaged =>
        typeof(T) == typeof(float) ? Expm1(x.AsSingle()).As<float, T>() : Expm1(x.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Log1p<T>(Vector256<T> x) where T : unmanaged =>
        typeof(T) == typeof(float) ? Log1p(x.AsSingle()).As<float, T>() : Log1p(x.AsDouble()).As<double, T>();

    /// <summary>
    /// log1p(u) for u in [0, 1] or NaN, the softplus and log-sigmoid tail ln(1 + e^(−|x|)); other inputs give
    /// unspecified results. float64 is <see cref="Log1p(Vector256{double})"/>; see the float32 overload.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Log1pOfUnit<T>(Vector256<T> u) where T : unmanaged =>
        typeof(T) == typeof(float) ? Log1pOfUnit(u.AsSingle()).As<float, T>() : Log1p(u.AsDouble()).As<double, T>();

    /// <summary>
    /// ln(1 + e^(−a)) for a ≥ 0 or NaN, the softplus and log-sigmoid tail; other inputs give unspecified
    /// results. float32 with AVX-512 runs both steps in one 512-bit float64 vector (see
    /// <see cref="Log1pExpMinusWide"/>); otherwise <see cref="Log1pOfUnit{T}(Vector256{T})"/> of <see cref="Exp{T}(Vector256{T})"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining), NotWidened]
    public static Vector256<T> Log1pExpMinus<T>(Vector256<T> a) where T : unmanaged
    {
        if (typeof(T) == typeof(float) && Avx512F.IsSupported)
            return Avx512F.ConvertToVector256Single(Log1pExpMinusWide(Avx512F.ConvertToVector512Double(a.AsSingle()))).As<float, T>();
        return Log1pOfUnit(Exp(-a));
    }

    /// <summary>tanh(x) = −expm1(−2|x|) / (expm1(−2|x|) + 2) with the sign of x: no cancellation anywhere, ±0 kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Tanh<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sign = x & Vector256.Create(-T.Zero);
        var a = Vector256.AndNot(x, Vector256.Create(-T.Zero));
        var e = Expm1(Vector256.Create(-(T.One + T.One)) * a);
        return (-e / (e + Vector256.Create(T.One + T.One))) | sign;
    }

    /// <summary>
    /// 1 / (1 + e^(−x)) for x ≥ 0 and e^x / (1 + e^x) for x &lt; 0: e = e^(−|x|) never overflows, so the
    /// result keeps its relative accuracy down to the subnormals instead of flushing to 0 below x ≈ −709 (−88).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Sigmoid<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var e = Exp(-Vector256.Abs(x));
        var positive = Vector256<T>.One / (Vector256<T>.One + e);
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<T>.Zero), e * positive, positive);
    }

    /// <summary>erfc(x), with relative accuracy down to the subnormals (x ≈ 27 in float64, 10 in float32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Erfc<T>(Vector256<T> x) where T : unmanaged =>
        typeof(T) == typeof(float) ? Erfc(x.AsSingle()).As<float, T>() : Erfc(x.AsDouble()).As<double, T>();

    /// <summary>erf(x): a Taylor series below |x| = 0.5 (so erf keeps its relative accuracy near 0), 1 − erfc|x| above.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Erf<T>(Vector256<T> x) where T : unmanaged =>
        typeof(T) == typeof(float) ? Erf(x.AsSingle()).As<float, T>() : Erf(x.AsDouble()).As<double, T>();

    /// <summary>
    /// The standard normal CDF Φ(x) = erfc(−x/√2)/2 and, from the same e^(−x²/2), the density φ(x). Φ keeps its
    /// relative accuracy in the left tail until it underflows (x ≈ −38 in float64, −14 in float32): the
    /// exponent x²/2 is formed exactly from x rather than from a rounded x/√2.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> NormalCdf<T>(Vector256<T> x, out Vector256<T> density) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) {
            var r = NormalCdf(x.AsSingle(), out var d);
            density = d.As<float, T>();
            return r.As<float, T>();
        }
        var rd = NormalCdf(x.AsDouble(), out var dd);
        density = dd.As<double, T>();
        return rd.As<double, T>();
    }

    /// <summary>
    /// <see cref="NormalCdf{T}(Vector256{T}, out Vector256{T})"/> for callers that multiply Φ and φ by x: in float32, NaN lanes are left to the
    /// arithmetic (x·anything is NaN there) instead of being restored by a select.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> NormalCdfUnguarded<T>(Vector256<T> x, out Vector256<T> density) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) {
            var r = NormalCdfUnguarded(x.AsSingle(), out var d);
            density = d.As<float, T>();
            return r.As<float, T>();
        }
        var rd = NormalCdf(x.AsDouble(), out var dd);
        density = dd.As<double, T>();
        return rd.As<double, T>();
    }

    /// <summary>
    /// GELU's slope Φ(x) + x·φ(x) from one <see cref="NormalCdfUnguarded{T}(Vector256{T}, out Vector256{T})"/>; in float32 the x·φ joins the
    /// sum in one fused step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> GeluSlope<T>(Vector256<T> x) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) {
            var cdf = NormalCdfUnguarded(x.AsSingle(), out var d);
            return MulAdd(x.AsSingle(), d, cdf).As<float, T>();
        }
        var cdfd = NormalCdf(x.AsDouble(), out var dd);
        return (cdfd + x.AsDouble() * dd).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<double> MulAdd(Vector256<double> a, Vector256<double> b, Vector256<double> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    static Vector256<T> IsNaN<T>(Vector256<T> x) where T : unmanaged => ~Vector256.Equals(x, x);

    // min/max as the CPU instruction: NaN lanes may come out as either operand, which is fine where these are
    // used (every function restores NaN by a final select). Vector256.Min/Max propagate NaN and order −0 below
    // +0 on .NET 9 and later, at several instructions each.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<double> Min(Vector256<double> a, Vector256<double> b) => Avx.IsSupported ? Avx.Min(a, b) : Vector256.Min(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<double> Max(Vector256<double> a, Vector256<double> b) => Avx.IsSupported ? Avx.Max(a, b) : Vector256.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Min(Vector256<float> a, Vector256<float> b) => Avx.IsSupported ? Avx.Min(a, b) : Vector256.Min(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Avx.IsSupported ? Avx.Max(a, b) : Vector256.Max(a, b);

    // ---- float64 ----

    /// <summary>2^k for integral k in [−1022, 1023].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<double> Pow2(Vector256<double> k) =>
        Vector256.ShiftLeft((k + Vector256.Create(Shifter + 1023)).AsInt64(), 52).AsDouble();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<double> RoundToInteger(Vector256<double> x) =>
        (x + Vector256.Create(Shifter)) - Vector256.Create(Shifter);

    /// <summary>r = x − k·ln 2 with k = round(x/ln 2): |r| ≤ ln2/2 + tiny.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<double> Reduce(Vector256<double> x, out Vector256<double> k)
    {
        k = RoundToInteger(x * Vector256.Create(Log2E));
        return (x - k * Vector256.Create(Ln2Hi)) - k * Vector256.Create(Ln2Lo);
    }

    /// <summary>(e^r − 1 − r) / r² for |r| ≤ ln2/2: Taylor to r¹³ (truncation below 2⁻⁵⁸ relative).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<double> ExpTail(Vector256<double> r)
    {
        var p = Vector256.Create(1.0 / 6227020800);
        p = MulAdd(p, r, Vector256.Create(1.0 / 479001600));
        p = MulAdd(p, r, Vector256.Create(1.0 / 39916800));
        p = MulAdd(p, r, Vector256.Create(1.0 / 3628800));
        p = MulAdd(p, r, Vector256.Create(1.0 / 362880));
        p = MulAdd(p, r, Vector256.Create(1.0 / 40320));
        p = MulAdd(p, r, Vector256.Create(1.0 / 5040));
        p = MulAdd(p, r, Vector256.Create(1.0 / 720));
        p = MulAdd(p, r, Vector256.Create(1.0 / 120));
        p = MulAdd(p, r, Vector256.Create(1.0 / 24));
        p = MulAdd(p, r, Vector256.Create(1.0 / 6));
        return MulAdd(p, r, Vector256.Create(0.5));
    }

    /// <summary>y·2^k for integral k in [−1076, 1024], in two factors so that neither leaves the normal range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<double> Scale(Vector256<double> y, Vector256<double> k)
    {
        var k1 = Vector256.Floor(k * Vector256.Create(0.5));
        return y * Pow2(k1) * Pow2(k - k1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Exp(Vector256<double> x)
    {
        // Beyond the clamps e^x is +∞ or 0 anyway, and the scale factors produce exactly that.
        var xc = Min(Max(x, Vector256.Create(-746.0)), Vector256.Create(710.0));
        var r = Reduce(xc, out var k);
        var p = Vector256<double>.One + MulAdd(r * r, ExpTail(r), r);
        return Vector256.ConditionalSelect(IsNaN(x), x, Scale(p, k));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Expm1(Vector256<double> x)
    {
        // Below −40, e^x < 2⁻⁵⁷: expm1 is −1 to double precision.
        var xc = Min(Max(x, Vector256.Create(-40.0)), Vector256.Create(710.0));
        var r = Reduce(xc, out var k);
        var em = MulAdd(r * r, ExpTail(r), r);
        // expm1(x) = 2^k·(expm1(r) + 1 − 2^−k); 1 − 2^−k is exact for the k where it matters.
        var oneMinus = Vector256<double>.One - Pow2(Max(-k, Vector256.Create(-100.0)));
        var y = Scale(em + oneMinus, k);
        // Where x² is below half an ulp of x, expm1(x) = x; this also keeps ±0 and subnormals exact.
        var tiny = Vector256.LessThan(Vector256.Abs(x), Vector256.Create(5.551115123125783e-17));
        return Vector256.ConditionalSelect(tiny | IsNaN(x), x, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Log1p(Vector256<double> x)
    {
        var one = Vector256<double>.One;
        var m = one + x;
        // The rounding error of 1 + x, put back as c/m (log(m + c) = log m + c/m).
        var c = Vector256.ConditionalSelect(Vector256.GreaterThan(m, Vector256.Create(2.0)), one - (m - x), x - (m - one));
        // m = 2^k·f with f in [√2/2, √2): the offset keeps the integer positive, so a logical shift suffices.
        var ix = m.AsInt64() - Vector256.Create(HalfSqrt2Bits - (0x400L << 52));
        var k = Vector256.ShiftRightLogical(ix, 52) - Vector256.Create(0x400L);
        var f = ((ix & Vector256.Create(0x000FFFFFFFFFFFFFL)) + Vector256.Create(HalfSqrt2Bits)).AsDouble() - one;
        var kd = (k + Vector256.Create(ShifterBits)).AsDouble() - Vector256.Create(Shifter);
        // log(1 + f) = f − (f²/2 − s·(f²/2 + R)), s = f/(2 + f), R = Σ 2s^2n/(2n + 1): f is exact, the rest small.
        var s = f / (Vector256.Create(2.0) + f);
        var s2 = s * s;
        var R = Vector256.Create(2.0 / 23);
        R = MulAdd(R, s2, Vector256.Create(2.0 / 21));
        R = MulAdd(R, s2, Vector256.Create(2.0 / 19));
        R = MulAdd(R, s2, Vector256.Create(2.0 / 17));
        R = MulAdd(R, s2, Vector256.Create(2.0 / 15));
        R = MulAdd(R, s2, Vector256.Create(2.0 / 13));
        R = MulAdd(R, s2, Vector256.Create(2.0 / 11));
        R = MulAdd(R, s2, Vector256.Create(2.0 / 9));
        R = MulAdd(R, s2, Vector256.Create(2.0 / 7));
        R = MulAdd(R, s2, Vector256.Create(2.0 / 5));
        R = MulAdd(R, s2, Vector256.Create(2.0 / 3)) * s2;
        var hfsq = Vector256.Create(0.5) * f * f;
        var y = kd * Vector256.Create(Ln2Hi) + (f - (hfsq - (s * (hfsq + R) + (kd * Vector256.Create(Ln2Lo) + c / m))));

        var tiny = Vector256.LessThan(Vector256.Abs(x), Vector256.Create(5.551115123125783e-17));
        y = Vector256.ConditionalSelect(tiny | IsNaN(x), x, y);
        y = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256.Create(double.PositiveInfinity)), x, y);
        y = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256.Create(-1.0)), Vector256.Create(double.NegativeInfinity), y);
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(-1.0)), Vector256.Create(double.NaN), y);
    }

    // ---- erfc, erf and the normal CDF, float64 ----
    //
    // For a ≥ 0, erfc(a) = e^(−a²)·f(t)/(a + K) with t = (a − K)/(a + K) ∈ [−1, 1) and K = 4: f is smooth on
    // [−1, 1] (f(1) = 1/√π is the asymptote a·e^(a²)·erfc(a) → 1/√π), so one polynomial covers all a ≥ 0
    // without branches. Its coefficients are a Chebyshev fit of f computed in 40-digit arithmetic (fit error
    // below 1e-19 relative before rounding to double). e^(−a²) takes a² as an exact sum hi + lo, because a²
    // rounded would cost up to a²·2⁻⁵³ relative (1.6e-13 at a = 27).

    const double ErfcK = 4.0;
    const double InvSqrt2 = 0.70710678118654752440;
    const double InvSqrt2Pi = 0.39894228040143267794;

    /// <summary>a² = hi + lo exactly (|a| well inside the range where a² is finite).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<double> Square(Vector256<double> a, out Vector256<double> lo)
    {
        var hi = a * a;
        if (Fma.IsSupported) {
            lo = Fma.MultiplySubtract(a, a, hi);
        } else {
            // Dekker's split: a = ah + al with 26-bit halves, whose products are exact.
            var p = a * Vector256.Create(134217729.0);
            var ah = p - (p - a);
            var al = a - ah;
            lo = ((ah * ah - hi) + (ah + ah) * al) + al * al;
        }
        return hi;
    }

    /// <summary>e^(−scale·a²) for scale 1 or ½ (both exact on hi and lo): e^(−hi)·(1 − lo), lo being below 2⁻⁴⁰ relative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<double> ExpMinusSquare(Vector256<double> a, double scale)
    {
        var hi = Square(a, out var lo) * Vector256.Create(scale);
        var e = Exp(-hi);
        return MulAdd(-(lo * Vector256.Create(scale)), e, e);
    }

    /// <summary>erfc(a) for a ≥ 0 (not NaN), given e = e^(−a²).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<double> ErfcOfPositive(Vector256<double> a, Vector256<double> e)
    {
        var r = Vector256<double>.One / (a + Vector256.Create(ErfcK));
        var t = (a - Vector256.Create(ErfcK)) * r;
        var p = Vector256.Create(2.947866927361956e-11);
        p = MulAdd(p, t, Vector256.Create(1.165022175540488e-11));
        p = MulAdd(p, t, Vector256.Create(-3.707740822648046e-10));
        p = MulAdd(p, t, Vector256.Create(-1.4934339754958613e-10));
        p = MulAdd(p, t, Vector256.Create(2.833240814106268e-09));
        p = MulAdd(p, t, Vector256.Create(9.057283360751795e-10));
        p = MulAdd(p, t, Vector256.Create(-1.901923227221873e-08));
        p = MulAdd(p, t, Vector256.Create(-5.948484326064661e-10));
        p = MulAdd(p, t, Vector256.Create(1.2777941814851333e-07));
        p = MulAdd(p, t, Vector256.Create(-7.407708465081518e-08));
        p = MulAdd(p, t, Vector256.Create(-8.484458468703744e-07));
        p = MulAdd(p, t, Vector256.Create(1.4233232852186445e-06));
        p = MulAdd(p, t, Vector256.Create(4.695316420567737e-06));
        p = MulAdd(p, t, Vector256.Create(-1.8860553629559005e-05));
        p = MulAdd(p, t, Vector256.Create(-3.6354105516359407e-06));
        p = MulAdd(p, t, Vector256.Create(0.00017681273638229508));
        p = MulAdd(p, t, Vector256.Create(-0.00045505264298840976));
        p = MulAdd(p, t, Vector256.Create(-0.0002809588527694495));
        p = MulAdd(p, t, Vector256.Create(0.006112055651429211));
        p = MulAdd(p, t, Vector256.Create(-0.02637005334149759));
        p = MulAdd(p, t, Vector256.Create(0.07638151490954974));
        p = MulAdd(p, t, Vector256.Create(-0.1740109372398765));
        p = MulAdd(p, t, Vector256.Create(0.330851587878006));
        p = MulAdd(p, t, Vector256.Create(-0.5408538313132364));
        p = MulAdd(p, t, Vector256.Create(0.7732087022652372));
        p = MulAdd(p, t, Vector256.Create(-0.976548729080882));
        p = MulAdd(p, t, Vector256.Create(1.095995661000491));
        return e * (p * r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Erfc(Vector256<double> x)
    {
        // Beyond 30, e^(−a²) is 0 in float64 anyway; the clamp keeps a² finite.
        var a = Min(Vector256.Abs(x), Vector256.Create(30.0));
        var q = ErfcOfPositive(a, ExpMinusSquare(a, 1));
        var y = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<double>.Zero), Vector256.Create(2.0) - q, q);
        return Vector256.ConditionalSelect(IsNaN(x), x, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Erf(Vector256<double> x)
    {
        // x·Σ (−1)ⁿ (2/√π) x²ⁿ / (n!(2n + 1)) to n = 12: truncation below 2⁻⁵⁷ relative for |x| < 0.5.
        var x2 = x * x;
        var s = Vector256.Create(9.422759064650411e-11);
        s = MulAdd(s, x2, Vector256.Create(-1.2290555301717928e-09));
        s = MulAdd(s, x2, Vector256.Create(1.4807192815879218e-08));
        s = MulAdd(s, x2, Vector256.Create(-1.6365844691234924e-07));
        s = MulAdd(s, x2, Vector256.Create(1.6462114365889248e-06));
        s = MulAdd(s, x2, Vector256.Create(-1.492565035840625e-05));
        s = MulAdd(s, x2, Vector256.Create(0.00012055332981789664));
        s = MulAdd(s, x2, Vector256.Create(-0.0008548327023450853));
        s = MulAdd(s, x2, Vector256.Create(0.005223977625442188));
        s = MulAdd(s, x2, Vector256.Create(-0.026866170645131252));
        s = MulAdd(s, x2, Vector256.Create(0.11283791670955126));
        s = MulAdd(s, x2, Vector256.Create(-0.37612638903183754));
        s = MulAdd(s, x2, Vector256.Create(1.1283791670955126));
        var small = x * s;
        var a = Min(Vector256.Abs(x), Vector256.Create(30.0));
        var large = (Vector256<double>.One - ErfcOfPositive(a, ExpMinusSquare(a, 1))) | (x & Vector256.Create(-0.0));
        var y = Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(0.5)), small, large);
        return Vector256.ConditionalSelect(IsNaN(x), x, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> NormalCdf(Vector256<double> x, out Vector256<double> density)
    {
        // Beyond 40, e^(−x²/2) is 0 in float64.
        var a = Min(Vector256.Abs(x), Vector256.Create(40.0));
        var e = ExpMinusSquare(a, 0.5);
        var nan = IsNaN(x);
        density = Vector256.ConditionalSelect(nan, x, e * Vector256.Create(InvSqrt2Pi));
        // ½·erfc(|x|/√2): erfc's own e^(−(|x|/√2)²) is e, taken from the exact x²/2.
        var q = ErfcOfPositive(a * Vector256.Create(InvSqrt2), e) * Vector256.Create(0.5);
        var y = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<double>.Zero), q, Vector256<double>.One - q);
        return Vector256.ConditionalSelect(nan, x, y);
    }

    // ---- float32 ----

    /// <summary>2^k for integral k in [−126, 127].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Pow2(Vector256<float> k) =>
        Vector256.ShiftLeft((k + Vector256.Create(ShifterF + 127)).AsInt32(), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Reduce(Vector256<float> x, out Vector256<float> k)
    {
        k = (x * Vector256.Create(Log2EF) + Vector256.Create(ShifterF)) - Vector256.Create(ShifterF);
        return (x - k * Vector256.Create(Ln2HiF)) - k * Vector256.Create(Ln2LoF);
    }

    /// <summary>(e^r − 1 − r) / r² for |r| ≤ ln2/2: Taylor to r⁷ (truncation below 2⁻²⁷ relative).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> ExpTail(Vector256<float> r)
    {
        var p = Vector256.Create(1f / 5040);
        p = MulAdd(p, r, Vector256.Create(1f / 720));
        p = MulAdd(p, r, Vector256.Create(1f / 120));
        p = MulAdd(p, r, Vector256.Create(1f / 24));
        p = MulAdd(p, r, Vector256.Create(1f / 6));
        return MulAdd(p, r, Vector256.Create(0.5f));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Scale(Vector256<float> y, Vector256<float> k)
    {
        var k1 = Vector256.Floor(k * Vector256.Create(0.5f));
        return y * Pow2(k1) * Pow2(k - k1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var xc = Min(Max(x, Vector256.Create(-104f)), Vector256.Create(89f));
        var r = Reduce(xc, out var k);
        var p = Vector256<float>.One + MulAdd(r * r, ExpTail(r), r);
        return Vector256.ConditionalSelect(IsNaN(x), x, Scale(p, k));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Expm1(Vector256<float> x)
    {
        // Below −20, e^x < 2⁻²⁸: expm1 is −1 to float precision.
        var xc = Min(Max(x, Vector256.Create(-20f)), Vector256.Create(89f));
        var r = Reduce(xc, out var k);
        var em = MulAdd(r * r, ExpTail(r), r);
        var oneMinus = Vector256<float>.One - Pow2(Max(-k, Vector256.Create(-50f)));
        var y = Scale(em + oneMinus, k);
        var tiny = Vector256.LessThan(Vector256.Abs(x), Vector256.Create(2.98023224e-8f));
        return Vector256.ConditionalSelect(tiny | IsNaN(x), x, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log1p(Vector256<float> x)
    {
        var one = Vector256<float>.One;
        var m = one + x;
        var c = Vector256.ConditionalSelect(Vector256.GreaterThan(m, Vector256.Create(2f)), one - (m - x), x - (m - one));
        var ix = m.AsInt32() - Vector256.Create(HalfSqrt2BitsF - (0x40 << 23));
        var k = Vector256.ShiftRightLogical(ix, 23) - Vector256.Create(0x40);
        var f = ((ix & Vector256.Create(0x007FFFFF)) + Vector256.Create(HalfSqrt2BitsF)).AsSingle() - one;
        var kf = Vector256.ConvertToSingle(k);
        var s = f / (Vector256.Create(2f) + f);
        var s2 = s * s;
        var R = Vector256.Create(2f / 13);
        R = MulAdd(R, s2, Vector256.Create(2f / 11));
        R = MulAdd(R, s2, Vector256.Create(2f / 9));
        R = MulAdd(R, s2, Vector256.Create(2f / 7));
        R = MulAdd(R, s2, Vector256.Create(2f / 5));
        R = MulAdd(R, s2, Vector256.Create(2f / 3)) * s2;
        var hfsq = Vector256.Create(0.5f) * f * f;
        var y = kf * Vector256.Create(Ln2HiF) + (f - (hfsq - (s * (hfsq + R) + (kf * Vector256.Create(Ln2LoF) + c / m))));

        var tiny = Vector256.LessThan(Vector256.Abs(x), Vector256.Create(2.98023224e-8f));
        y = Vector256.ConditionalSelect(tiny | IsNaN(x), x, y);
        y = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256.Create(float.PositiveInfinity)), x, y);
        y = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256.Create(-1f)), Vector256.Create(float.NegativeInfinity), y);
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(-1f)), Vector256.Create(float.NaN), y);
    }

    /// <summary>
    /// log1p(u) for u in [0, 1] in float32 (within 0.51 ulp): u + u²·P(u), P a degree-10 Chebyshev fit of
    /// (ln(1 + u) − u)/u² on [0, 1] (fit error below 3e-9, 0.07 float32 ulp of the result), evaluated in float64
    /// so that the only float32 rounding is the final one: with AVX-512 on all eight lanes in one 512-bit vector
    /// (one conversion each way and one FMA chain: a quarter off the softplus loop against two 256-bit halves),
    /// else on the two widened halves; both round identically (every step is a correctly rounded FMA). On this bounded
    /// argument that is about half the instructions of the general <see cref="Log1p(Vector256{float})"/> (no
    /// reduction, no division, no special-value selects): u = 0, subnormal u and NaN come out exact through
    /// the arithmetic.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining), NotWidened]
    static Vector256<float> Log1pOfUnit(Vector256<float> u)
    {
        if (Avx512F.IsSupported) return Avx512F.ConvertToVector256Single(Log1pOfUnitWide(Avx512F.ConvertToVector512Double(u)));
        var (lower, upper) = Vector256.Widen(u);
        return Vector256.Narrow(Log1pOfUnitWide(lower), Log1pOfUnitWide(upper));
    }

    // The 512-bit forms of the two above (which already use AVX-512 or widen to float64 on 256 bits): each half of
    // the sixteen float32 lanes in its own 512-bit float64 vector. Only the 512-bit kernels call them, on CPUs
    // with AVX-512.

    /// <inheritdoc cref="Log1pExpMinus{T}(Vector256{T})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Log1pExpMinus<T>(Vector512<T> a) where T : unmanaged
    {
        if (typeof(T) != typeof(float)) return Log1pOfUnit(Exp(-a));
        var f = a.AsSingle();
        return Vector512.Create(
            Avx512F.ConvertToVector256Single(Log1pExpMinusWide(Avx512F.ConvertToVector512Double(f.GetLower()))),
            Avx512F.ConvertToVector256Single(Log1pExpMinusWide(Avx512F.ConvertToVector512Double(f.GetUpper())))).As<float, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Log1pOfUnit(Vector512<float> u) =>
        Vector512.Create(
            Avx512F.ConvertToVector256Single(Log1pOfUnitWide(Avx512F.ConvertToVector512Double(u.GetLower()))),
            Avx512F.ConvertToVector256Single(Log1pOfUnitWide(Avx512F.ConvertToVector512Double(u.GetUpper()))));

    /// <summary>
    /// ln(1 + e^(−a)) for float32 arguments widened to float64 (a ≥ 0 or NaN), for the float32 result: e^(−a)
    /// by a Cody–Waite reduction and Taylor to r⁸ (truncation below 2e-10 relative), then
    /// <see cref="Log1pOfUnitWide(Vector512{double})"/>. In float64 the scale 2^k needs neither the clamps'
    /// upper side nor the two-factor subnormal scaling of the float32 exp (e^(−150) is normal, and its log1p
    /// rounds to float32's 0 as e^(−a) does from a ≈ 103.3 on): half the instructions of float32 exp on 256
    /// bits, and e^(−a) carries no float32 rounding into the log.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<double> Log1pExpMinusWide(Vector512<double> a)
    {
        // vminpd returns its second operand when either is NaN: NaN passes on.
        var w = Avx512F.Min(Vector512.Create(150.0), a);
        var t = Avx512F.FusedMultiplyAddNegated(w, Vector512.Create(Log2E), Vector512.Create(Shifter));
        var k = t - Vector512.Create(Shifter);
        var r = Avx512F.FusedMultiplyAddNegated(k, Vector512.Create(Ln2Hi), -w);
        r = Avx512F.FusedMultiplyAddNegated(k, Vector512.Create(Ln2Lo), r);
        var p = Vector512.Create(1.0 / 40320);
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 5040));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 720));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 120));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 24));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 6));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(0.5));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512<double>.One);
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512<double>.One);
        // t holds k in its low bits (k ≥ −217): (k + 1023) << 52 is 2^k.
        var scale = Vector512.ShiftLeft(t.AsInt64() + Vector512.Create(1023L), 52).AsDouble();
        return Log1pOfUnitWide(p * scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<double> Log1pOfUnitWide(Vector512<double> w)
    {
        var p = Vector512.Create(-0.0017706623991464519);
        p = Avx512F.FusedMultiplyAdd(p, w, Vector512.Create(0.011725339840102772));
        p = Avx512F.FusedMultiplyAdd(p, w, Vector512.Create(-0.036317104394501344));
        p = Avx512F.FusedMultiplyAdd(p, w, Vector512.Create(0.07204849935764783));
        p = Avx512F.FusedMultiplyAdd(p, w, Vector512.Create(-0.10774868075260843));
        p = Avx512F.FusedMultiplyAdd(p, w, Vector512.Create(0.1376270923275549));
        p = Avx512F.FusedMultiplyAdd(p, w, Vector512.Create(-0.1656361823118967));
        p = Avx512F.FusedMultiplyAdd(p, w, Vector512.Create(0.19987819261813075));
        p = Avx512F.FusedMultiplyAdd(p, w, Vector512.Create(-0.24999246331618724));
        p = Avx512F.FusedMultiplyAdd(p, w, Vector512.Create(0.3333331484303632));
        p = Avx512F.FusedMultiplyAdd(p, w, Vector512.Create(-0.4999999992387932));
        return Avx512F.FusedMultiplyAdd(w * w, p, w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining), NotWidened]
    static Vector256<double> Log1pOfUnitWide(Vector256<double> u)
    {
        var p = Vector256.Create(-0.0017706623991464519);
        p = MulAdd(p, u, Vector256.Create(0.011725339840102772));
        p = MulAdd(p, u, Vector256.Create(-0.036317104394501344));
        p = MulAdd(p, u, Vector256.Create(0.07204849935764783));
        p = MulAdd(p, u, Vector256.Create(-0.10774868075260843));
        p = MulAdd(p, u, Vector256.Create(0.1376270923275549));
        p = MulAdd(p, u, Vector256.Create(-0.1656361823118967));
        p = MulAdd(p, u, Vector256.Create(0.19987819261813075));
        p = MulAdd(p, u, Vector256.Create(-0.24999246331618724));
        p = MulAdd(p, u, Vector256.Create(0.3333331484303632));
        p = MulAdd(p, u, Vector256.Create(-0.4999999992387932));
        return MulAdd(u * u, p, u);
    }

    // ---- erfc, erf and the normal CDF, float32: the float64 scheme with a 12-term fit (below 1e-8 relative) ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Square(Vector256<float> a, out Vector256<float> lo)
    {
        var hi = a * a;
        if (Fma.IsSupported) {
            lo = Fma.MultiplySubtract(a, a, hi);
        } else {
            var p = a * Vector256.Create(4097f);
            var ah = p - (p - a);
            var al = a - ah;
            lo = ((ah * ah - hi) + (ah + ah) * al) + al * al;
        }
        return hi;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> ExpMinusSquare(Vector256<float> a, float scale)
    {
        var hi = Square(a, out var lo) * Vector256.Create(scale);
        var e = Exp(-hi);
        return MulAdd(-(lo * Vector256.Create(scale)), e, e);
    }

    /// <summary>
    /// 2⁶³·e^(−a²/2) for 0 ≤ a ≤ 16, the float32 normal CDF's exponential. The 2⁶³ (2⁶⁴ times the CDF's ½)
    /// keeps every result in the normal range, so one 2^k built from bits scales it, where e^(−a²/2) itself
    /// (down to 2⁻¹⁸⁵) would need the two factors of Scale; the callers take the 2⁻⁶⁴ back in their last
    /// multiply, the one place a subnormal result is rounded. The argument needs no clamp (a ≤ 16 is the
    /// caller's).
    /// </summary>
    /// <remarks>
    /// With FMA, the reduction runs on a² rather than a²/2 (a² = sq + lo exactly): it yields 2r, the series
    /// takes 2r with its coefficients scaled to match, and the ½ lands in the exponent, 2^(k + 62). Every
    /// step is the unscaled one times a power of 2, so the result is bit for bit that of reducing a²/2, one
    /// multiply fewer.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> ScaledExpMinusHalfSquare(Vector256<float> a)
    {
        if (!Fma.IsSupported) {
            var hi = Square(a, out var lo) * Vector256.Create(0.5f);
            var r = Reduce(-hi, out var k) - lo * Vector256.Create(0.5f);
            var m = MulAdd(r * r, ExpTail(r), r);
            var s = Vector256.ShiftLeft((k + Vector256.Create(ShifterF + 127 + 63)).AsInt32(), 23).AsSingle();
            return MulAdd(m, s, s);
        }
        var sq = a * a;
        var sqLo = Fma.MultiplySubtract(a, a, sq);
        // k = round(−a²/(2 ln 2)); r2 = 2r = (−sq − k·2ln2Hi) − (k·2ln2Lo + sqLo): the first difference is exact
        // (k·2ln2Hi is, and Sterbenz), and |sqLo| ≤ 2⁻¹⁶ joins the small term.
        var k2 = Fma.MultiplyAddNegated(sq, Vector256.Create(Log2EF / 2), Vector256.Create(ShifterF)) - Vector256.Create(ShifterF);
        var r2 = Fma.MultiplySubtractNegated(k2, Vector256.Create(2 * Ln2HiF), sq)
            - Fma.MultiplyAdd(k2, Vector256.Create(2 * Ln2LoF), sqLo);
        // 2(e^r − 1) = r2 + r2²·ExpTail(r2/2)/2, ExpTail's coefficients 1/(j + 2)! divided by 2^(j + 1), in Estrin's
        // form (r2² is needed anyway): a chain of 3 steps instead of 5 at the same count.
        var u = r2 * r2;
        var q0 = Fma.MultiplyAdd(Vector256.Create(1f / 6 / 4), r2, Vector256.Create(0.5f / 2));
        var q1 = Fma.MultiplyAdd(Vector256.Create(1f / 120 / 16), r2, Vector256.Create(1f / 24 / 8));
        var q2 = Fma.MultiplyAdd(Vector256.Create(1f / 5040 / 64), r2, Vector256.Create(1f / 720 / 32));
        var p = Fma.MultiplyAdd(Fma.MultiplyAdd(q2, u, q1), u, q0);
        var m2 = Fma.MultiplyAdd(u, p, r2);
        // (1 + m)·2^(k + 63) = 2^(k + 63) + m2·2^(k + 62); k ≥ −185, so both are normal numbers.
        var h = Vector256.ShiftLeft((k2 + Vector256.Create(ShifterF + 127 + 62)).AsInt32(), 23).AsSingle();
        return Fma.MultiplyAdd(m2, h, h + h);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> ErfcOfPositive(Vector256<float> a, Vector256<float> e)
    {
        var r = Vector256<float>.One / (a + Vector256.Create((float)ErfcK));
        var t = (a - Vector256.Create((float)ErfcK)) * r;
        return e * (ErfcPolynomial(t) * r);
    }

    /// <summary>The fit: erfc(z) = e^(−z²)·p(t)/(z + K), t = (z − K)/(z + K).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> ErfcPolynomial(Vector256<float> t)
    {
        var p = Vector256.Create(0.00012761133257299662f);
        p = MulAdd(p, t, Vector256.Create(-0.00044553502812050283f));
        p = MulAdd(p, t, Vector256.Create(-0.00022818415891379118f));
        p = MulAdd(p, t, Vector256.Create(0.006094854790717363f));
        p = MulAdd(p, t, Vector256.Create(-0.02639680728316307f));
        p = MulAdd(p, t, Vector256.Create(0.07639189064502716f));
        p = MulAdd(p, t, Vector256.Create(-0.17400473356246948f));
        p = MulAdd(p, t, Vector256.Create(0.3308489918708801f));
        p = MulAdd(p, t, Vector256.Create(-0.5408543348312378f));
        p = MulAdd(p, t, Vector256.Create(0.7732089161872864f));
        p = MulAdd(p, t, Vector256.Create(-0.9765487313270569f));
        return MulAdd(p, t, Vector256.Create(1.0959956645965576f));
    }

    /// <summary>
    /// <see cref="ErfcPolynomial(Vector256{float})"/> times <paramref name="scale"/>, a power of 2 (a constant wherever this is
    /// inlined) applied to the coefficients, so every step scales exactly; evaluated as even + t·odd in t², two
    /// dependency chains of 6 steps instead of one of 11. The GELU loops wait on that chain more than on the
    /// FMA ports (7% faster forward for one multiply more); the ulp bounds hold as for Horner.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> ErfcPolynomialSplit(Vector256<float> t, float scale)
    {
        var t2 = t * t;
        var ev = Vector256.Create(-0.00044553502812050283f * scale);
        var od = Vector256.Create(0.00012761133257299662f * scale);
        ev = MulAdd(ev, t2, Vector256.Create(0.006094854790717363f * scale));
        od = MulAdd(od, t2, Vector256.Create(-0.00022818415891379118f * scale));
        ev = MulAdd(ev, t2, Vector256.Create(0.07639189064502716f * scale));
        od = MulAdd(od, t2, Vector256.Create(-0.02639680728316307f * scale));
        ev = MulAdd(ev, t2, Vector256.Create(0.3308489918708801f * scale));
        od = MulAdd(od, t2, Vector256.Create(-0.17400473356246948f * scale));
        ev = MulAdd(ev, t2, Vector256.Create(0.7732089161872864f * scale));
        od = MulAdd(od, t2, Vector256.Create(-0.5408543348312378f * scale));
        ev = MulAdd(ev, t2, Vector256.Create(1.0959956645965576f * scale));
        od = MulAdd(od, t2, Vector256.Create(-0.9765487313270569f * scale));
        return MulAdd(od, t, ev);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Erfc(Vector256<float> x)
    {
        var a = Min(Vector256.Abs(x), Vector256.Create(12f));
        var q = ErfcOfPositive(a, ExpMinusSquare(a, 1f));
        var y = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), Vector256.Create(2f) - q, q);
        return Vector256.ConditionalSelect(IsNaN(x), x, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Erf(Vector256<float> x)
    {
        var x2 = x * x;
        var s = Vector256.Create(-1.4925650248187594e-05f);
        s = MulAdd(s, x2, Vector256.Create(0.00012055332626914605f));
        s = MulAdd(s, x2, Vector256.Create(-0.0008548327023163438f));
        s = MulAdd(s, x2, Vector256.Create(0.005223977845162153f));
        s = MulAdd(s, x2, Vector256.Create(-0.02686617150902748f));
        s = MulAdd(s, x2, Vector256.Create(0.11283791810274124f));
        s = MulAdd(s, x2, Vector256.Create(-0.37612637877464294f));
        s = MulAdd(s, x2, Vector256.Create(1.128379225730896f));
        var small = x * s;
        var a = Min(Vector256.Abs(x), Vector256.Create(12f));
        var large = (Vector256<float>.One - ErfcOfPositive(a, ExpMinusSquare(a, 1f))) | (x & Vector256.Create(-0f));
        var y = Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(0.5f)), small, large);
        return Vector256.ConditionalSelect(IsNaN(x), x, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> NormalCdf(Vector256<float> x, out Vector256<float> density)
    {
        var y = NormalCdfUnguarded(x, out density);
        var nan = IsNaN(x);
        density = Vector256.ConditionalSelect(nan, x, density);
        return Vector256.ConditionalSelect(nan, x, y);
    }

    /// <summary>
    /// Φ(x) and φ(x) in float32 with NaN lanes left to whatever the arithmetic gives (finite where the CPU's
    /// min returns its second operand): for callers whose result is a product with x, which is NaN anyway.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> NormalCdfUnguarded(Vector256<float> x, out Vector256<float> density)
    {
        var a = Min(Vector256.Abs(x), Vector256.Create(16f));
        var e = ScaledExpMinusHalfSquare(a);
        const double unscale = 1.0 / (1L << 32) / (1L << 32);
        density = e * Vector256.Create((float)(2 * InvSqrt2Pi * unscale));
        // ½·erfc(z), z = |x|/√2, the ½ already in e and the 2⁻⁶⁴ in the polynomial, so the product rounds once.
        // z ± K as a·(1/√2) ± K, each rounded once (z itself is never formed).
        var r = Vector256<float>.One / MulAdd(a, Vector256.Create((float)InvSqrt2), Vector256.Create((float)ErfcK));
        var t = MulAdd(a, Vector256.Create((float)InvSqrt2), Vector256.Create((float)-ErfcK)) * r;
        var q = e * (ErfcPolynomialSplit(t, (float)unscale) * r);
        var oneMinusQ = Vector256<float>.One - q;
        // Φ(x) = q for x < 0 (−0 gives ½ either way): the select reads x's sign bit where AVX can.
        return Avx.IsSupported ? Avx.BlendVariable(oneMinusQ, q, x)
            : Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), q, oneMinusQ);
    }
}
