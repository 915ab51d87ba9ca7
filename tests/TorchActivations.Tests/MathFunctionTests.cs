using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchActivations.Core.Kernels;
using Xunit.Abstractions;

namespace TorchActivations.Tests;

/// <summary>
/// The package's vectorised exp, expm1, log1p, tanh, sigmoid, erf, erfc and normal CDF/density against a double-double reference
/// (about 100 bits, independent of the code under test), in ulps of the result's type. float32: every
/// 4099th bit pattern of all 2³² (so every exponent and sign, subnormals, ±0, ±∞, NaNs) plus a dense
/// sweep of [−110, 110]; float64: random bit patterns, a dense sweep of [−750, 750], log-spaced values
/// near 0 and the boundaries. The bounds held here are the ones docs/performance.md states.
/// </summary>
public class MathFunctionTests(ITestOutputHelper output)
{
    public delegate Vector256<float> F32(Vector256<float> x);
    public delegate Vector256<double> F64(Vector256<double> x);
    public delegate Vector512<float> F32Wide(Vector512<float> x);
    public delegate Vector512<double> F64Wide(Vector512<double> x);

    /// <summary>Each function at both vector widths: the 512-bit forms are generated from the 256-bit ones and held to the same bounds.</summary>
    static readonly (string Name, F32 F32, F64 F64, F32Wide F32Wide, F64Wide F64Wide, Func<double, DD> Ref, double Ulp32, double Ulp64)[] Functions =
    [
        ("exp", VectorMath.Exp, VectorMath.Exp, VectorMath.Exp, VectorMath.Exp, DD.Exp, 1.5, 1.0),
        ("expm1", VectorMath.Expm1, VectorMath.Expm1, VectorMath.Expm1, VectorMath.Expm1, DD.Expm1, 1.5, 2.0),
        ("log1p", VectorMath.Log1p, VectorMath.Log1p, VectorMath.Log1p, VectorMath.Log1p, DD.Log1p, 1.0, 1.0),
        ("tanh", VectorMath.Tanh, VectorMath.Tanh, VectorMath.Tanh, VectorMath.Tanh, DD.Tanh, 2.5, 2.5),
        ("sigmoid", VectorMath.Sigmoid, VectorMath.Sigmoid, VectorMath.Sigmoid, VectorMath.Sigmoid, DD.Sigmoid, 3.0, 2.5),
        ("erfc", VectorMath.Erfc, VectorMath.Erfc, VectorMath.Erfc, VectorMath.Erfc, DD.Erfc, 7.5, 7.0),
        ("erf", VectorMath.Erf, VectorMath.Erf, VectorMath.Erf, VectorMath.Erf, DD.Erf, 3.0, 3.5),
        ("normal_cdf", x => VectorMath.NormalCdf(x, out _), x => VectorMath.NormalCdf(x, out _),
            x => VectorMath.NormalCdf(x, out _), x => VectorMath.NormalCdf(x, out _), DD.NormalCdf, 7.5, 7.0),
        ("normal_pdf", x => { VectorMath.NormalCdf(x, out var d); return d; }, x => { VectorMath.NormalCdf(x, out var d); return d; },
            x => { VectorMath.NormalCdf(x, out var d); return d; }, x => { VectorMath.NormalCdf(x, out var d); return d; },
            DD.NormalPdf, 3.0, 3.0),
    ];

    /// <summary>The vector widths this machine runs: 256 bits, and 512 where the CPU accelerates them (the kernels then take those).</summary>
    public static int[] Widths => Vector512.IsHardwareAccelerated ? [256, 512] : [256];

    public static TheoryData<int> WidthData() => new(Widths);

    static float[] Run32(string name, int width, float[] xs)
    {
        var f = Functions.Single(x => x.Name == name);
        return width == 512 ? RunWide(xs, f.F32Wide) : Run(xs, f.F32);
    }

    static double[] Run64(string name, int width, double[] xs)
    {
        var f = Functions.Single(x => x.Name == name);
        return width == 512 ? RunWide(xs, f.F64Wide) : Run(xs, f.F64);
    }

    /// <summary>
    /// Every 61st float in ±[1e-4, 0.1]: where Φ(x) − ½ is small, erfc's and the normal CDF's relative errors peak,
    /// and a stride over all bit patterns samples the band too sparsely.
    /// </summary>
    public static IEnumerable<float> NearZeroBand()
    {
        for (uint bits = BitConverter.SingleToUInt32Bits(1e-4f); bits <= BitConverter.SingleToUInt32Bits(0.1f); bits += 61) {
            yield return BitConverter.UInt32BitsToSingle(bits);
            yield return -BitConverter.UInt32BitsToSingle(bits);
        }
    }

    public static TheoryData<string, int> Names()
    {
        var data = new TheoryData<string, int>();
        foreach (var f in Functions) foreach (var w in Widths) data.Add(f.Name, w);
        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Float32_within_its_ulp_bound(string name, int width)
    {
        var f = Functions.Single(x => x.Name == name);
        var inputs = new List<float>();
        for (ulong bits = 0; bits <= uint.MaxValue; bits += 4099) inputs.Add(BitConverter.UInt32BitsToSingle((uint)bits));
        for (int i = 0; i <= 2_000_000; i++) inputs.Add(-110f + 220f * i / 2_000_000);
        inputs.AddRange(NearZeroBand());
        inputs.AddRange(SpecialFloats());
        var xs = inputs.ToArray();
        var ys = Run32(name, width, xs);

        double worst = 0; float worstAt = 0;
        for (int i = 0; i < xs.Length; i++) {
            double e = UlpError32(ys[i], f.Ref(xs[i]), xs[i], name);
            if (e > worst) (worst, worstAt) = (e, xs[i]);
        }
        output.WriteLine($"{name} float32 ({width} bits): max {worst:F3} ulp at x = {worstAt:R} over {xs.Length} inputs");
        Assert.True(worst <= f.Ulp32, $"{name} float32 ({width} bits): {worst:F3} ulp at x = {worstAt:R} exceeds {f.Ulp32}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Float64_within_its_ulp_bound(string name, int width)
    {
        var f = Functions.Single(x => x.Name == name);
        var rng = new Random(13);
        var inputs = new List<double>();
        for (int i = 0; i < 300_000; i++) inputs.Add(BitConverter.Int64BitsToDouble(rng.NextInt64(long.MinValue, long.MaxValue)));
        for (int i = 0; i <= 600_000; i++) inputs.Add(-750.0 + 1500.0 * i / 600_000);
        for (int i = 0; i <= 200_000; i++) {
            double m = Math.Pow(2, -1074 + 1100.0 * i / 200_000);
            inputs.Add(m);
            inputs.Add(-m);
        }
        for (int i = 0; i < 200_000; i++) inputs.Add(rng.NextDouble() * 2 - 1);
        inputs.AddRange(SpecialDoubles());
        var xs = inputs.ToArray();
        var ys = Run64(name, width, xs);

        double worst = 0, worstAt = 0;
        for (int i = 0; i < xs.Length; i++) {
            double e = UlpError64(ys[i], f.Ref(xs[i]), xs[i], name);
            if (e > worst) (worst, worstAt) = (e, xs[i]);
        }
        output.WriteLine($"{name} float64 ({width} bits): max {worst:F3} ulp at x = {worstAt:R} over {xs.Length} inputs");
        Assert.True(worst <= f.Ulp64, $"{name} float64 ({width} bits): {worst:F3} ulp at x = {worstAt:R} exceeds {f.Ulp64}");
    }

    [Theory]
    [MemberData(nameof(WidthData))]
    public void Special_values_are_exact(int width)
    {
        float[] x32 = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, -float.Epsilon, -1f];
        var exp = Run32("exp", width, x32);
        var expm1 = Run32("expm1", width, x32);
        var log1p = Run32("log1p", width, x32);
        var tanh = Run32("tanh", width, x32);
        var sig = Run32("sigmoid", width, x32);
        Assert.Equal([1f, 1f, float.PositiveInfinity, 0f, float.NaN, 1f, 1f, 0.36787945f], exp);
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(expm1[1]));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(log1p[1]));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(tanh[1]));
        Assert.Equal([float.PositiveInfinity, -1f, float.Epsilon, -float.Epsilon], expm1[2..4].Concat(expm1[5..7]));
        Assert.Equal(float.NegativeInfinity, log1p[7]);
        Assert.True(float.IsNaN(log1p[4]) && float.IsNaN(expm1[4]) && float.IsNaN(tanh[4]) && float.IsNaN(sig[4]));
        Assert.True(float.IsNaN(Run32("log1p", width, [-2f])[0]));
        Assert.Equal([1f, -1f], tanh[2..4]);
        Assert.Equal([1f, 0f], sig[2..4]);

        var erfc = Run32("erfc", width, x32);
        var erf = Run32("erf", width, x32);
        Assert.Equal([1f, 1f, 0f, 2f], erfc[..4]);
        Assert.Equal([0f, -0f, 1f, -1f], erf[..4]);
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(erf[1]));
        Assert.True(float.IsNaN(erfc[4]) && float.IsNaN(erf[4]) && float.IsNaN(Run32("normal_cdf", width, [float.NaN])[0]));

        double[] x64 = [0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN, double.Epsilon, -1];
        var e64 = Run64("exp", width, x64);
        Assert.Equal([1, 1, double.PositiveInfinity, 0, double.NaN, 1], e64[..6]);
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(Run64("expm1", width, x64)[1]));
        Assert.Equal(double.NegativeInfinity, Run64("log1p", width, x64)[6]);
        Assert.Equal([1.0, -1.0], Run64("tanh", width, x64)[2..4]);
        Assert.Equal([1.0, 1.0, 0.0, 2.0], Run64("erfc", width, x64)[..4]);
        Assert.Equal([0.0, 1.0, -1.0], Run64("erf", width, x64).Where((_, i) => i is 0 or 2 or 3));
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(Run64("erf", width, x64)[1]));
        Assert.Equal([0.5, 0.5, 1.0, 0.0], Run64("normal_cdf", width, x64)[..4]);
    }

    /// <summary>
    /// log1p on [0, 1], the softplus/log-sigmoid tail, held to the general log1p's float32 bound and below it:
    /// every float in [2⁻²⁴, 1] at a stride of 61 bit patterns (every binade), all of [0, 2⁻²⁴) at a stride of
    /// 4099 (subnormals included), and 0, 1, NaN exactly.
    /// </summary>
    [Theory]
    [MemberData(nameof(WidthData))]
    public void Log1p_of_unit_float32_within_its_ulp_bound(int width)
    {
        float[] Log1pOfUnit(float[] v) => width == 512 ? RunWide(v, VectorMath.Log1pOfUnit) : Run(v, VectorMath.Log1pOfUnit);
        var inputs = new List<float>();
        uint lowBits = BitConverter.SingleToUInt32Bits(5.9604645e-8f), oneBits = BitConverter.SingleToUInt32Bits(1f);
        for (uint bits = 0; bits < lowBits; bits += 4099) inputs.Add(BitConverter.UInt32BitsToSingle(bits));
        for (uint bits = lowBits; bits <= oneBits; bits += 61) inputs.Add(BitConverter.UInt32BitsToSingle(bits));
        inputs.AddRange([0f, float.Epsilon, 1f, BitConverter.UInt32BitsToSingle(oneBits - 1)]);
        var xs = inputs.ToArray();
        var ys = Log1pOfUnit(xs);

        double worst = 0; float worstAt = 0;
        for (int i = 0; i < xs.Length; i++) {
            double e = UlpError32(ys[i], DD.Log1p(xs[i]), xs[i], "log1p");
            if (e > worst) (worst, worstAt) = (e, xs[i]);
        }
        output.WriteLine($"log1p on [0, 1] float32 ({width} bits): max {worst:F3} ulp at x = {worstAt:R} over {xs.Length} inputs");
        Assert.True(worst <= 0.55, $"log1p on [0, 1] float32: {worst:F3} ulp at x = {worstAt:R} exceeds 0.55");

        var special = Log1pOfUnit([0f, float.Epsilon, 1f, float.NaN]);
        Assert.Equal(BitConverter.SingleToInt32Bits(0f), BitConverter.SingleToInt32Bits(special[0]));
        Assert.Equal(float.Epsilon, special[1]);
        Assert.Equal(0.6931472f, special[2]);
        Assert.True(float.IsNaN(special[3]));
        Assert.Equal(Run64("log1p", width, [0.25, double.NaN]),
            width == 512 ? RunWide([0.25, double.NaN], VectorMath.Log1pOfUnit) : Run([0.25, double.NaN], VectorMath.Log1pOfUnit));
    }

    /// <summary>
    /// ln(1 + e^(−a)) for a ≥ 0, the softplus/log-sigmoid tail in one step, against e^(−a) rounded to double and
    /// the double-double log1p (the double rounding is 2⁻⁵³ relative, far below a float32 ulp): every float in
    /// [0, 110] at a stride of 61 bit patterns (all binades, subnormals included), a dense sweep of [0, 110], and
    /// 0, ∞, NaN exactly. The bound depends on the path (see the kernel).
    /// </summary>
    [Theory]
    [MemberData(nameof(WidthData))]
    public void Log1p_exp_minus_float32_within_its_ulp_bound(int width)
    {
        float[] Log1pExpMinus(float[] v) => width == 512 ? RunWide(v, VectorMath.Log1pExpMinus) : Run(v, VectorMath.Log1pExpMinus);
        var inputs = new List<float>();
        for (uint bits = 0; bits <= BitConverter.SingleToUInt32Bits(110f); bits += 61) inputs.Add(BitConverter.UInt32BitsToSingle(bits));
        for (int i = 0; i <= 2_000_000; i++) inputs.Add(110f * i / 2_000_000);
        var xs = inputs.ToArray();
        var ys = Log1pExpMinus(xs);

        double worst = 0; float worstAt = 0;
        for (int i = 0; i < xs.Length; i++) {
            double e = UlpError32(ys[i], DD.Log1p(Math.Exp(-(double)xs[i])), xs[i], "log1p_exp_minus");
            if (e > worst) (worst, worstAt) = (e, xs[i]);
        }
        // With AVX-512 e^(−a) stays in float64 and only the result is rounded; without it, the float32 exp's
        // error (up to 1.5 ulp) passes through the log.
        double bound = Avx512F.IsSupported ? 0.55 : 1.5;
        output.WriteLine($"ln(1 + e^-a) float32 ({width} bits): max {worst:F3} ulp at a = {worstAt:R} over {xs.Length} inputs");
        Assert.True(worst <= bound, $"ln(1 + e^-a) float32: {worst:F3} ulp at a = {worstAt:R} exceeds {bound}");

        var special = Log1pExpMinus([0f, float.PositiveInfinity, float.NaN, 200f]);
        Assert.Equal(0.6931472f, special[0]);
        Assert.Equal(BitConverter.SingleToInt32Bits(0f), BitConverter.SingleToInt32Bits(special[1]));
        Assert.True(float.IsNaN(special[2]));
        Assert.Equal(0f, special[3]);
    }

    /// <summary>
    /// The double-double erfc is itself checked against values computed independently to 22 digits
    /// (mpmath at 30 digits), so the ulp tests above rest on something other than the code they test.
    /// </summary>
    [Theory]
    [InlineData(0.25, 0.7236736098317630670149)]
    [InlineData(0.5, 0.4795001221869534623173)]
    [InlineData(1, 0.1572992070502851306588)]
    [InlineData(2, 0.004677734981047265837931)]
    [InlineData(3, 0.00002209049699858544137278)]
    [InlineData(4.5, 1.966160441542887476279e-10)]
    [InlineData(5, 1.537459794428034850188e-12)]
    [InlineData(10, 2.088487583762544757001e-45)]
    [InlineData(20, 5.395865611607900928935e-176)]
    [InlineData(26.5, 2.210907664263734275929e-307)]
    [InlineData(-2, 1.995322265018952734162069)]
    public void Reference_erfc_matches_published_values(double z, double expected)
    {
        var r = DD.Erfc(z);
        Assert.True(Math.Abs(r.Hi - expected) <= 0.5 * Math.ScaleB(1, Math.ILogB(expected) - 52),
            $"erfc({z}) reference {r.Hi:R}, expected {expected:R}");
    }

    [Theory]
    [InlineData(-1, 0.1586552539314570514148)]
    [InlineData(-5, 2.866515718791939116738e-7)]
    [InlineData(-20, 2.753624118606233695076e-89)]
    [InlineData(-37.5, 4.605353009581954843828e-308)]
    public void Normal_cdf_keeps_its_relative_accuracy_in_the_left_tail(double x, double expected)
    {
        Assert.True(Math.Abs(DD.NormalCdf(x).Hi - expected) <= 0.5 * Math.ScaleB(1, Math.ILogB(expected) - 52));
        var y = Run([x, x, x, x], v => VectorMath.NormalCdf(v, out _))[0];
        Assert.True(Math.Abs(y - expected) <= 7 * Math.ScaleB(1, Math.ILogB(expected) - 52), $"Φ({x}) = {y:R}, expected {expected:R}");
    }

    static float[] Run(float[] xs, F32 f) => RunLanes<float>(xs, Vector256<float>.Count, buf => f(Vector256.Create(buf)).CopyTo(buf));
    static double[] Run(double[] xs, F64 f) => RunLanes<double>(xs, Vector256<double>.Count, buf => f(Vector256.Create(buf)).CopyTo(buf));
    static float[] RunWide(float[] xs, F32Wide f) => RunLanes<float>(xs, Vector512<float>.Count, buf => f(Vector512.Create(buf)).CopyTo(buf));
    static double[] RunWide(double[] xs, F64Wide f) => RunLanes<double>(xs, Vector512<double>.Count, buf => f(Vector512.Create(buf)).CopyTo(buf));

    /// <summary>Runs a vector function (in place on one vector's buffer) over an array, the tail padded with zeros, as the kernel runner does.</summary>
    static T[] RunLanes<T>(T[] xs, int lanes, Action<T[]> apply) where T : struct
    {
        var ys = new T[xs.Length];
        var buf = new T[lanes];
        for (int i = 0; i < xs.Length; i += lanes) {
            int n = Math.Min(lanes, xs.Length - i);
            Array.Clear(buf);
            Array.Copy(xs, i, buf, 0, n);
            apply(buf);
            Array.Copy(buf, 0, ys, i, n);
        }
        return ys;
    }

    double UlpError32(float y, DD reference, float x, string name)
    {
        double r = reference.Hi;
        if (double.IsNaN(r) || double.IsNaN(y)) return double.IsNaN(r) && float.IsNaN(y) ? 0 : Fail(name, x, y, r);
        // Beyond float's range the correctly rounded result is ±∞; count ∞ as the next step after MaxValue.
        double yy = float.IsInfinity(y) ? Math.CopySign(Math.Pow(2, 128), y) : y;
        if (float.IsInfinity((float)r)) return float.IsInfinity(y) && Math.Sign(y) == Math.Sign(r) ? 0 : Fail(name, x, y, r);
        double ulp = Math.Max(Math.ScaleB(1, Math.ILogB(Math.Abs(r)) - 23), Math.Pow(2, -149));
        return Math.Abs((yy - r) - reference.Lo) / ulp;
    }

    double UlpError64(double y, DD reference, double x, string name)
    {
        double r = reference.Hi;
        if (double.IsNaN(r) || double.IsNaN(y)) return double.IsNaN(r) && double.IsNaN(y) ? 0 : Fail(name, x, y, r);
        if (double.IsInfinity(r) || double.IsInfinity(y)) return r == y ? 0 : Fail(name, x, y, r);
        double ulp = Math.Max(Math.ScaleB(1, Math.ILogB(Math.Abs(r)) - 52), double.Epsilon);
        // (y − hi) is exact when y and hi are within a few ulps (Sterbenz); lo then refines it.
        return Math.Abs((y - r) - reference.Lo) / ulp;
    }

    double Fail(string name, double x, double y, double r)
    {
        output.WriteLine($"{name}({x:R}) = {y:R}, reference {r:R}");
        return double.PositiveInfinity;
    }

    static IEnumerable<float> SpecialFloats()
    {
        float[] s = [0f, -0f, float.Epsilon, -float.Epsilon, 1.17549435e-38f, float.MaxValue, -float.MaxValue,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, -1f, -0.99999994f, 88.72283f, 88.72284f,
            -87.33655f, -103.972f, -103.973f, 2.98e-8f, 1e-30f, 9f, -9f, 20f, -20f];
        foreach (var v in s) { yield return v; yield return MathF.BitIncrement(v); yield return MathF.BitDecrement(v); }
    }

    static IEnumerable<double> SpecialDoubles()
    {
        double[] s = [0, -0.0, double.Epsilon, -double.Epsilon, 2.2250738585072014e-308, double.MaxValue, -double.MaxValue,
            double.PositiveInfinity, double.NegativeInfinity, double.NaN, -1, 709.782712893384, -708.3964185322641,
            -745.1332191019411, -745.1332191019412, 5.551115123125783e-17, 19.0, -19.0, 40, -40, 1e-300];
        foreach (var v in s) { yield return v; yield return Math.BitIncrement(v); yield return Math.BitDecrement(v); }
    }
}

/// <summary>
/// A double-double: Hi + Lo with |Lo| ≤ ulp(Hi)/2, about 106 bits. Just enough arithmetic for the
/// reference functions above, all from error-free transformations (TwoSum, FMA-based TwoProd).
/// </summary>
public readonly record struct DD(double Hi, double Lo)
{
    static readonly DD Ln2 = new(0.6931471805599453, 2.3190468138462996e-17);
    static readonly DD One = new(1, 0);

    public static implicit operator DD(double d) => new(d, 0);

    static DD Norm(double s, double e) { double h = s + e; return new(h, e - (h - s)); }

    public static DD operator +(DD a, DD b)
    {
        double s = a.Hi + b.Hi, bb = s - a.Hi, e = (a.Hi - (s - bb)) + (b.Hi - bb);
        return Norm(s, e + a.Lo + b.Lo);
    }

    public static DD operator -(DD a) => new(-a.Hi, -a.Lo);
    public static DD operator -(DD a, DD b) => a + -b;

    public static DD operator *(DD a, DD b)
    {
        double p = a.Hi * b.Hi, e = Math.FusedMultiplyAdd(a.Hi, b.Hi, -p);
        return Norm(p, e + (a.Hi * b.Lo + a.Lo * b.Hi));
    }

    public static DD operator /(DD a, DD b)
    {
        double q1 = a.Hi / b.Hi;
        var r = a - b * q1;
        double q2 = r.Hi / b.Hi;
        r -= b * q2;
        return Norm(q1, q2) + r.Hi / b.Hi;
    }

    static DD Scale(DD a, int k) => new(Math.ScaleB(a.Hi, k), Math.ScaleB(a.Lo, k));

    /// <summary>e^r − 1 by its Taylor series, for |r| ≤ 0.75.</summary>
    static DD Expm1Series(DD r)
    {
        DD term = r, sum = r;
        for (int n = 2; n < 40 && Math.Abs(term.Hi) > 1e-40 * Math.Abs(sum.Hi); n++) {
            term = term * r / n;
            sum += term;
        }
        return sum;
    }

    public static DD Exp(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x > 710) return double.PositiveInfinity;
        if (x < -746) return 0;
        int k = (int)Math.Round(x / Ln2.Hi);
        var r = (DD)x - Ln2 * k;
        var e = One + Expm1Series(r);
        // Two steps keep the intermediate in range where the result is subnormal.
        return Scale(Scale(e, k / 2), k - k / 2);
    }

    public static DD Expm1(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (Math.Abs(x) <= 0.5) return Expm1Series(x);
        if (x < -50) return -1;
        var e = Exp(x);
        return double.IsInfinity(e.Hi) ? e : e - One;
    }

    public static DD Log1p(double x)
    {
        if (double.IsNaN(x) || x < -1) return double.NaN;
        if (x == -1) return double.NegativeInfinity;
        if (double.IsPositiveInfinity(x)) return x;
        if (Math.Abs(x) < 1e-20) return (DD)x - (DD)x * x * 0.5;
        // Newton on e^y = 1 + x from a double start: each step doubles the correct bits.
        var target = (DD)1 + x;
        DD y = Math.Log(target.Hi) + target.Lo / target.Hi;
        for (int i = 0; i < 2; i++) {
            var em1 = y.Hi > 0.5 || y.Hi < -0.5 ? ExpDD(y) - One : Expm1Series(y);
            // (1 + x) − e^y, with e^y − 1 formed without cancellation where y is small.
            y += ((DD)x - em1) / (One + em1);
        }
        return y;
    }

    /// <summary>e^y for a double-double y (|y| ≤ 746).</summary>
    static DD ExpDD(DD y)
    {
        int k = (int)Math.Round(y.Hi / Ln2.Hi);
        var r = y - Ln2 * k;
        var e = One + Expm1Series(r);
        return Scale(Scale(e, k / 2), k - k / 2);
    }

    static readonly DD Pi = new(3.141592653589793, 1.2246467991473532e-16);
    static readonly DD InvSqrtPi = One / Sqrt(Pi);
    static readonly DD InvSqrt2 = One / Sqrt(2);

    static DD Sqrt(DD a)
    {
        DD s = Math.Sqrt(a.Hi);
        return s + (a - s * s) / (2 * s.Hi);
    }

    /// <summary>erfc for a double-double argument: erfc = 1 − erf by a series of positive terms below 3 (at most
    /// 16 of the 106 bits lost to the subtraction), a continued fraction of depth 120 above (converged beyond
    /// 2⁻¹⁰⁶ from 3 on).</summary>
    public static DD Erfc(DD z)
    {
        if (double.IsNaN(z.Hi)) return double.NaN;
        if (z.Hi < 0) return (DD)2 - Erfc(-z);
        if (z.Hi > 27.5) return 0;
        if (z.Hi < 3) return One - ErfSeries(z);
        // erfc(z) = e^(−z²)/√π · 1/(z + (1/2)/(z + (2/2)/(z + (3/2)/(z + …))))
        DD v = z;
        for (int n = 120; n >= 1; n--) v = z + (DD)(n / 2.0) / v;
        return ExpDD(-(z * z)) * InvSqrtPi / v;
    }

    /// <summary>erf(z) = 2/√π · e^(−z²) · Σ 2ⁿ z^(2n+1) / (1·3·…·(2n+1)), every term positive (z ≥ 0).</summary>
    static DD ErfSeries(DD z)
    {
        if (z.Hi == 0) return z;
        DD term = z, sum = z, z2 = z * z;
        for (int n = 1; n < 400 && Math.Abs(term.Hi) > 1e-36 * Math.Abs(sum.Hi); n++) {
            term = term * z2 * 2 / (2 * n + 1);
            sum += term;
        }
        return 2 * InvSqrtPi * ExpDD(-z2) * sum;
    }

    public static DD Erfc(double x) => double.IsInfinity(x) ? (x > 0 ? 0 : 2) : Erfc((DD)x);

    public static DD Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x < 0) return -Erf(-x);
        if (x > 6.5) return One - Erfc(Math.Min(x, 30));
        return ErfSeries(x);
    }

    /// <summary>Φ(x) = erfc(−x/√2)/2, with −x/√2 formed in double-double.</summary>
    public static DD NormalCdf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (double.IsInfinity(x)) return x > 0 ? 1 : 0;
        return Scale(Erfc(-(InvSqrt2 * x)), -1);
    }

    /// <summary>φ(x) = e^(−x²/2)/√(2π).</summary>
    public static DD NormalPdf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (Math.Abs(x) > 40) return 0;
        return ExpDD(Scale(-((DD)x * x), -1)) * InvSqrtPi * InvSqrt2;
    }

    /// <summary>e^y for a double-double y.</summary>
    public static DD Exp(DD y) => y.Hi < -746 ? 0 : ExpDD(y);

    public static DD Sigmoid(DD x) => x.Hi >= 0 ? One / (One + Exp(-x)) : Exp(x) / (One + Exp(x));

    public static DD Tanh(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x == 0) return x;
        var e = Expm1(-2 * Math.Abs(x));
        var t = -e / (e + 2);
        return x < 0 ? -t : t;
    }

    public static DD Sigmoid(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x >= 0) return One / (One + Exp(-x));
        var e = Exp(x);
        return e / (One + e);
    }
}
