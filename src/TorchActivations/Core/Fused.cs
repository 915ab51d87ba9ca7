using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Core;

/// <summary>
/// One-pass combinations for the smooth activations: torch computes the transcendental part (exp, expm1,
/// log1p) with its vectorized kernels, and one fused pass does the remaining selects, products and sums
/// that would otherwise take several passes and temporaries. Each kernel performs the same IEEE operations
/// in the same order as the composed formula it replaces, so both give identical values; null means the
/// tensors are not float32/float64 CPU tensors of one shape and dtype, and the caller composes instead.
/// Not differentiable: only for forward and for backward when grad mode is off.
/// </summary>
internal static class Fused
{
    /// <summary>Whether the fused kernels take <paramref name="x"/> (and <paramref name="a"/>, <paramref name="b"/> alongside it).</summary>
    public static bool Eligible(Tensor x, Tensor a, Tensor? b = null) =>
        x.numel() > 0 && FastPath.Supports(x) && x.dtype == a.dtype && a.device_type == DeviceType.CPU && FastPath.SameShape(x, a)
        && (b is null || (x.dtype == b.dtype && b.device_type == DeviceType.CPU && FastPath.SameShape(x, b)));

    /// <summary>Exponential-linear forward: x ≥ 0 ? x·scale : e·alphaScale, with e = expm1(s·min(x, 0)).</summary>
    public static Tensor? EluForward(Tensor x, Tensor e, double scale, double alphaScale)
    {
        if (!Eligible(x, e)) return null;
        var (xc, ec) = (FastPath.Contiguous(x), FastPath.Contiguous(e));
        var y = torch.empty_like(xc);
        if (x.dtype == ScalarType.Float32) Kernels<float>.Elu(Span<float>(xc), Span<float>(ec), default, (float)scale, (float)alphaScale, Span<float>(y));
        else Kernels<double>.Elu(Span<double>(xc), Span<double>(ec), default, scale, alphaScale, Span<double>(y));
        return y;
    }

    /// <summary>
    /// Exponential-linear forward from t = tanh(s·x/2): x ≥ 0 ? x·scale : (2t / (1 − t))·alphaScale.
    /// 2·tanh(z/2) / (1 − tanh(z/2)) is expm1(z) within a few ulps (1 − t ≥ 1 for z ≤ 0: no cancellation), and
    /// torch's tanh is several times faster than its standalone expm1. Where x ≥ 0 the quotient is not read.
    /// </summary>
    public static Tensor? EluForwardFromTanh(Tensor x, Tensor t, double scale, double alphaScale)
    {
        if (!Eligible(x, t)) return null;
        var (xc, tc) = (FastPath.Contiguous(x), FastPath.Contiguous(t));
        var y = torch.empty_like(xc);
        if (x.dtype == ScalarType.Float32) Kernels<float>.EluFromTanh(Span<float>(xc), Span<float>(tc), (float)scale, (float)alphaScale, Span<float>(y));
        else Kernels<double>.EluFromTanh(Span<double>(xc), Span<double>(tc), scale, alphaScale, Span<double>(y));
        return y;
    }

    /// <summary>Exponential-linear backward: x ≥ 0 ? g·scale : (t·slopeScale)·g, with t = exp(s·min(x, 0)).</summary>
    public static Tensor? EluBackward(Tensor x, Tensor grad, Tensor t, double scale, double slopeScale)
    {
        if (!Eligible(x, grad, t)) return null;
        var (xc, gc, tc) = (FastPath.Contiguous(x), FastPath.Contiguous(grad), FastPath.Contiguous(t));
        var r = torch.empty_like(gc);
        if (x.dtype == ScalarType.Float32) Kernels<float>.Elu(Span<float>(xc), Span<float>(tc), Span<float>(gc), (float)scale, (float)slopeScale, Span<float>(r));
        else Kernels<double>.Elu(Span<double>(xc), Span<double>(tc), Span<double>(gc), scale, slopeScale, Span<double>(r));
        return r;
    }

    /// <summary>Softplus forward: x·β &gt; threshold ? x : (max(x·β, 0) + l) / β, with l = log1p(exp(−|x·β|)).</summary>
    public static Tensor? SoftplusForward(Tensor x, Tensor l, double beta, double threshold)
    {
        if (!Eligible(x, l)) return null;
        var (xc, lc) = (FastPath.Contiguous(x), FastPath.Contiguous(l));
        var y = torch.empty_like(xc);
        if (x.dtype == ScalarType.Float32) Kernels<float>.SoftplusForward(Span<float>(xc), Span<float>(lc), (float)beta, (float)threshold, Span<float>(y));
        else Kernels<double>.SoftplusForward(Span<double>(xc), Span<double>(lc), beta, threshold, Span<double>(y));
        return y;
    }

    /// <summary>Softplus backward: x·β &gt; threshold ? g : (1 / (e + 1))·g, with e = exp(x·(−β)).</summary>
    public static Tensor? SoftplusBackward(Tensor x, Tensor grad, Tensor e, double beta, double threshold)
    {
        if (!Eligible(x, grad, e)) return null;
        var (xc, gc, ec) = (FastPath.Contiguous(x), FastPath.Contiguous(grad), FastPath.Contiguous(e));
        var r = torch.empty_like(gc);
        if (x.dtype == ScalarType.Float32) Kernels<float>.SoftplusBackward(Span<float>(xc), Span<float>(gc), Span<float>(ec), (float)beta, (float)threshold, Span<float>(r));
        else Kernels<double>.SoftplusBackward(Span<double>(xc), Span<double>(gc), Span<double>(ec), beta, threshold, Span<double>(r));
        return r;
    }

    /// <summary>GELU (tanh) inner argument: (x + ((x·x)·x)·cubic)·scale, as <c>(x + x * x * x * cubic) * scale</c> composes it.</summary>
    public static Tensor? GeluTanhInner(Tensor x, double cubic, double scale)
    {
        if (!Eligible(x, x)) return null;
        var xc = FastPath.Contiguous(x);
        var u = torch.empty_like(xc);
        if (x.dtype == ScalarType.Float32) Kernels<float>.GeluInner(Span<float>(xc), (float)cubic, (float)scale, Span<float>(u));
        else Kernels<double>.GeluInner(Span<double>(xc), cubic, scale, Span<double>(u));
        return u;
    }

    /// <summary>
    /// GELU forward from torch's transcendental part f: exact (f = erfc(−x/√2)): (f·0.5)·x;
    /// tanh (f = tanh of the inner argument): (x·0.5)·(f + 1).
    /// </summary>
    public static Tensor? GeluForward(Tensor x, Tensor f, bool tanh)
    {
        if (!Eligible(x, f)) return null;
        var (xc, fc) = (FastPath.Contiguous(x), FastPath.Contiguous(f));
        var y = torch.empty_like(xc);
        if (x.dtype == ScalarType.Float32) Kernels<float>.GeluForward(Span<float>(xc), Span<float>(fc), tanh, Span<float>(y));
        else Kernels<double>.GeluForward(Span<double>(xc), Span<double>(fc), tanh, Span<double>(y));
        return y;
    }

    /// <summary>Exact GELU backward: ((c·0.5) + ((d·k)·x))·g with c = erfc(−x/√2), d = exp((x·x)·(−0.5)), k = 1/√(2π).</summary>
    public static Tensor? GeluExactBackward(Tensor x, Tensor grad, Tensor c, Tensor d, double k)
    {
        if (!Eligible(x, grad, c) || !Eligible(x, d)) return null;
        var (xc, gc, cc, dc) = (FastPath.Contiguous(x), FastPath.Contiguous(grad), FastPath.Contiguous(c), FastPath.Contiguous(d));
        var r = torch.empty_like(gc);
        if (x.dtype == ScalarType.Float32) Kernels<float>.GeluExactBackward(Span<float>(xc), Span<float>(gc), Span<float>(cc), Span<float>(dc), (float)k, Span<float>(r));
        else Kernels<double>.GeluExactBackward(Span<double>(xc), Span<double>(gc), Span<double>(cc), Span<double>(dc), k, Span<double>(r));
        return r;
    }

    /// <summary>
    /// Tanh-GELU backward: (((t + 1)·0.5) + ((−(t·t)) + 1)·(((c·0.5)·s)·(((c·c)·3k) + 1)))·g with c = clamp(x, −bound, bound),
    /// t the tanh of the inner argument, s = √(2/π), k the cubic coefficient.
    /// </summary>
    public static Tensor? GeluTanhBackward(Tensor x, Tensor grad, Tensor t, double bound, double s, double threeCubic)
    {
        if (!Eligible(x, grad, t)) return null;
        var (xc, gc, tc) = (FastPath.Contiguous(x), FastPath.Contiguous(grad), FastPath.Contiguous(t));
        var r = torch.empty_like(gc);
        if (x.dtype == ScalarType.Float32) Kernels<float>.GeluTanhBackward(Span<float>(xc), Span<float>(gc), Span<float>(tc), (float)bound, (float)s, (float)threeCubic, Span<float>(r));
        else Kernels<double>.GeluTanhBackward(Span<double>(xc), Span<double>(gc), Span<double>(tc), bound, s, threeCubic, Span<double>(r));
        return r;
    }

    /// <summary>(x·x)·(−0.5) and x·(−c) in one pass: the arguments of exp and erfc in exact GELU's backward.</summary>
    public static (Tensor Square, Tensor Scaled)? GeluExactArguments(Tensor x, double c)
    {
        if (!Eligible(x, x)) return null;
        var xc = FastPath.Contiguous(x);
        var (u, v) = (torch.empty_like(xc), torch.empty_like(xc));
        if (x.dtype == ScalarType.Float32) Kernels<float>.GeluArguments(Span<float>(xc), (float)c, Span<float>(u), Span<float>(v));
        else Kernels<double>.GeluArguments(Span<double>(xc), c, Span<double>(u), Span<double>(v));
        return (u, v);
    }

    /// <summary>
    /// Softmax backward along the last dim, row by row in one pass: dot = Σ g⊙y over the row, then
    /// (g − dot)⊙y, or (dot − g)⊙y for softmin. The row sum is accumulated in SIMD lanes, so it may differ
    /// from torch's sum in the last bits (as any reordering of a reduction does).
    /// </summary>
    public static Tensor? SoftmaxBackward(Tensor grad, Tensor y, long dim, bool negate)
    {
        if (y.dim() < 1 || dim != y.dim() - 1 || !Eligible(y, grad)) return null;
        long rowLength = y.size((int)dim);
        if (rowLength == 0 || rowLength > int.MaxValue) return null;
        var (gc, yc) = (FastPath.Contiguous(grad), FastPath.Contiguous(y));
        var r = torch.empty_like(yc);
        if (y.dtype == ScalarType.Float32) Kernels<float>.SoftmaxBackward(Span<float>(gc), Span<float>(yc), (int)rowLength, negate, Span<float>(r));
        else Kernels<double>.SoftmaxBackward(Span<double>(gc), Span<double>(yc), (int)rowLength, negate, Span<double>(r));
        return r;
    }

    static Span<T> Span<T>(Tensor t) where T : unmanaged => FastPath.Span<T>(t);

    static class Kernels<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>
        /// Forward (g empty): r = x ≥ 0 ? x·scale : e·k. Backward: r = x ≥ 0 ? g·scale : (e·k)·g.
        /// A factor of exactly 1 is skipped, as the composed formula skips it.
        /// </summary>
        public static void Elu(ReadOnlySpan<T> x, ReadOnlySpan<T> e, ReadOnlySpan<T> g, T scale, T k, Span<T> r)
        {
            bool backward = !g.IsEmpty, unitScale = scale == T.One, unitK = k == T.One;
            int n = x.Length, i = 0;
            if (Vector256.IsHardwareAccelerated) {
                int lanes = Vector256<T>.Count;
                var vs = Vector256.Create(scale);
                var vk = Vector256.Create(k);
                ref T xr = ref MemoryMarshal.GetReference(x);
                ref T er = ref MemoryMarshal.GetReference(e);
                ref T gr = ref MemoryMarshal.GetReference(g);
                ref T rr = ref MemoryMarshal.GetReference(r);
                for (; i <= n - lanes; i += lanes) {
                    var xv = Vector256.LoadUnsafe(ref xr, (nuint)i);
                    var ev = Vector256.LoadUnsafe(ref er, (nuint)i);
                    if (!unitK) ev *= vk;
                    var positive = backward ? Vector256.LoadUnsafe(ref gr, (nuint)i) : xv;
                    if (backward) ev *= positive;
                    if (!unitScale) positive *= vs;
                    Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(xv, Vector256<T>.Zero), positive, ev).StoreUnsafe(ref rr, (nuint)i);
                }
            }
            for (; i < n; i++) {
                T ev = unitK ? e[i] : e[i] * k;
                T positive = backward ? g[i] : x[i];
                if (backward) ev *= positive;
                if (!unitScale) positive *= scale;
                r[i] = x[i] >= T.Zero ? positive : ev;
            }
        }

        public static void SoftmaxBackward(ReadOnlySpan<T> g, ReadOnlySpan<T> y, int rowLength, bool negate, Span<T> r)
        {
            for (int start = 0; start < y.Length; start += rowLength) {
                var gRow = g.Slice(start, rowLength);
                var yRow = y.Slice(start, rowLength);
                var rRow = r.Slice(start, rowLength);
                int i = 0;
                T dot = T.Zero;
                if (Vector256.IsHardwareAccelerated && rowLength >= Vector256<T>.Count) {
                    int lanes = Vector256<T>.Count;
                    var acc = Vector256<T>.Zero;
                    ref T gr = ref MemoryMarshal.GetReference(gRow);
                    ref T yr = ref MemoryMarshal.GetReference(yRow);
                    for (; i <= rowLength - lanes; i += lanes)
                        acc += Vector256.LoadUnsafe(ref gr, (nuint)i) * Vector256.LoadUnsafe(ref yr, (nuint)i);
                    dot = Vector256.Sum(acc);
                }
                for (; i < rowLength; i++) dot += gRow[i] * yRow[i];

                i = 0;
                if (Vector256.IsHardwareAccelerated) {
                    int lanes = Vector256<T>.Count;
                    var vd = Vector256.Create(dot);
                    ref T gr = ref MemoryMarshal.GetReference(gRow);
                    ref T yr = ref MemoryMarshal.GetReference(yRow);
                    ref T rr = ref MemoryMarshal.GetReference(rRow);
                    for (; i <= rowLength - lanes; i += lanes) {
                        var gv = Vector256.LoadUnsafe(ref gr, (nuint)i);
                        ((negate ? vd - gv : gv - vd) * Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref rr, (nuint)i);
                    }
                }
                for (; i < rowLength; i++) rRow[i] = (negate ? dot - gRow[i] : gRow[i] - dot) * yRow[i];
            }
        }

        public static void EluFromTanh(ReadOnlySpan<T> x, ReadOnlySpan<T> t, T scale, T k, Span<T> r)
        {
            bool unitScale = scale == T.One, unitK = k == T.One;
            int n = x.Length, i = 0;
            if (Vector256.IsHardwareAccelerated) {
                int lanes = Vector256<T>.Count;
                var vs = Vector256.Create(scale);
                var vk = Vector256.Create(k);
                var one = Vector256<T>.One;
                ref T xr = ref MemoryMarshal.GetReference(x);
                ref T tr = ref MemoryMarshal.GetReference(t);
                ref T rr = ref MemoryMarshal.GetReference(r);
                for (; i <= n - lanes; i += lanes) {
                    var xv = Vector256.LoadUnsafe(ref xr, (nuint)i);
                    var tv = Vector256.LoadUnsafe(ref tr, (nuint)i);
                    var e = (tv + tv) / (one - tv);
                    if (!unitK) e *= vk;
                    var positive = unitScale ? xv : xv * vs;
                    Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(xv, Vector256<T>.Zero), positive, e).StoreUnsafe(ref rr, (nuint)i);
                }
            }
            for (; i < n; i++) {
                T tv = t[i];
                T e = (tv + tv) / (T.One - tv);
                if (!unitK) e *= k;
                r[i] = x[i] >= T.Zero ? (unitScale ? x[i] : x[i] * scale) : e;
            }
        }

        public static void GeluArguments(ReadOnlySpan<T> x, T c, Span<T> u, Span<T> v)
        {
            T minusHalf = T.CreateChecked(-0.5), minusC = -c;
            int n = x.Length, i = 0;
            if (Vector256.IsHardwareAccelerated) {
                int lanes = Vector256<T>.Count;
                var vh = Vector256.Create(minusHalf);
                var vc = Vector256.Create(minusC);
                ref T xr = ref MemoryMarshal.GetReference(x);
                ref T ur = ref MemoryMarshal.GetReference(u);
                ref T wr = ref MemoryMarshal.GetReference(v);
                for (; i <= n - lanes; i += lanes) {
                    var xv = Vector256.LoadUnsafe(ref xr, (nuint)i);
                    ((xv * xv) * vh).StoreUnsafe(ref ur, (nuint)i);
                    (xv * vc).StoreUnsafe(ref wr, (nuint)i);
                }
            }
            for (; i < n; i++) {
                u[i] = (x[i] * x[i]) * minusHalf;
                v[i] = x[i] * minusC;
            }
        }

        public static void GeluInner(ReadOnlySpan<T> x, T cubic, T scale, Span<T> r)
        {
            int n = x.Length, i = 0;
            if (Vector256.IsHardwareAccelerated) {
                int lanes = Vector256<T>.Count;
                var vc = Vector256.Create(cubic);
                var vs = Vector256.Create(scale);
                ref T xr = ref MemoryMarshal.GetReference(x);
                ref T rr = ref MemoryMarshal.GetReference(r);
                for (; i <= n - lanes; i += lanes) {
                    var v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                    ((v + ((v * v) * v) * vc) * vs).StoreUnsafe(ref rr, (nuint)i);
                }
            }
            for (; i < n; i++) {
                T v = x[i];
                r[i] = (v + ((v * v) * v) * cubic) * scale;
            }
        }

        public static void GeluForward(ReadOnlySpan<T> x, ReadOnlySpan<T> f, bool tanh, Span<T> r)
        {
            T half = T.CreateChecked(0.5);
            int n = x.Length, i = 0;
            if (Vector256.IsHardwareAccelerated) {
                int lanes = Vector256<T>.Count;
                var vh = Vector256.Create(half);
                var one = Vector256<T>.One;
                ref T xr = ref MemoryMarshal.GetReference(x);
                ref T fr = ref MemoryMarshal.GetReference(f);
                ref T rr = ref MemoryMarshal.GetReference(r);
                for (; i <= n - lanes; i += lanes) {
                    var v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                    var fv = Vector256.LoadUnsafe(ref fr, (nuint)i);
                    (tanh ? (v * vh) * (fv + one) : (fv * vh) * v).StoreUnsafe(ref rr, (nuint)i);
                }
            }
            for (; i < n; i++)
                r[i] = tanh ? (x[i] * half) * (f[i] + T.One) : (f[i] * half) * x[i];
        }

        public static void GeluExactBackward(ReadOnlySpan<T> x, ReadOnlySpan<T> g, ReadOnlySpan<T> c, ReadOnlySpan<T> d, T k, Span<T> r)
        {
            T half = T.CreateChecked(0.5);
            int n = x.Length, i = 0;
            if (Vector256.IsHardwareAccelerated) {
                int lanes = Vector256<T>.Count;
                var vh = Vector256.Create(half);
                var vk = Vector256.Create(k);
                ref T xr = ref MemoryMarshal.GetReference(x);
                ref T gr = ref MemoryMarshal.GetReference(g);
                ref T cr = ref MemoryMarshal.GetReference(c);
                ref T dr = ref MemoryMarshal.GetReference(d);
                ref T rr = ref MemoryMarshal.GetReference(r);
                for (; i <= n - lanes; i += lanes) {
                    var xv = Vector256.LoadUnsafe(ref xr, (nuint)i);
                    var cdf = Vector256.LoadUnsafe(ref cr, (nuint)i) * vh;
                    var density = (Vector256.LoadUnsafe(ref dr, (nuint)i) * vk) * xv;
                    ((cdf + density) * Vector256.LoadUnsafe(ref gr, (nuint)i)).StoreUnsafe(ref rr, (nuint)i);
                }
            }
            for (; i < n; i++)
                r[i] = ((c[i] * half) + ((d[i] * k) * x[i])) * g[i];
        }

        public static void GeluTanhBackward(ReadOnlySpan<T> x, ReadOnlySpan<T> g, ReadOnlySpan<T> t, T bound, T s, T threeCubic, Span<T> r)
        {
            T half = T.CreateChecked(0.5);
            int n = x.Length, i = 0;
            if (Vector256.IsHardwareAccelerated) {
                int lanes = Vector256<T>.Count;
                var vh = Vector256.Create(half);
                var vs = Vector256.Create(s);
                var v3 = Vector256.Create(threeCubic);
                var hi = Vector256.Create(bound);
                var lo = Vector256.Create(-bound);
                var one = Vector256<T>.One;
                ref T xr = ref MemoryMarshal.GetReference(x);
                ref T gr = ref MemoryMarshal.GetReference(g);
                ref T tr = ref MemoryMarshal.GetReference(t);
                ref T rr = ref MemoryMarshal.GetReference(r);
                for (; i <= n - lanes; i += lanes) {
                    var xv = Vector256.LoadUnsafe(ref xr, (nuint)i);
                    // clamp(x, −bound, bound) with NaN kept.
                    var low = Vector256.ConditionalSelect(Vector256.LessThan(xv, lo), lo, xv);
                    var c = Vector256.ConditionalSelect(Vector256.GreaterThan(low, hi), hi, low);
                    var tv = Vector256.LoadUnsafe(ref tr, (nuint)i);
                    var inner = ((c * vh) * vs) * (((c * c) * v3) + one);
                    var sech2 = (-(tv * tv)) + one;
                    ((((tv + one) * vh) + (sech2 * inner)) * Vector256.LoadUnsafe(ref gr, (nuint)i)).StoreUnsafe(ref rr, (nuint)i);
                }
            }
            for (; i < n; i++) {
                T xv = x[i];
                T low = xv < -bound ? -bound : xv;
                T c = low > bound ? bound : low;
                T tv = t[i];
                T inner = ((c * half) * s) * (((c * c) * threeCubic) + T.One);
                T sech2 = (-(tv * tv)) + T.One;
                r[i] = (((tv + T.One) * half) + (sech2 * inner)) * g[i];
            }
        }

        public static void SoftplusForward(ReadOnlySpan<T> x, ReadOnlySpan<T> l, T beta, T threshold, Span<T> r)
        {
            bool unit = beta == T.One;
            int n = x.Length, i = 0;
            if (Vector256.IsHardwareAccelerated) {
                int lanes = Vector256<T>.Count;
                var vb = Vector256.Create(beta);
                var vt = Vector256.Create(threshold);
                ref T xr = ref MemoryMarshal.GetReference(x);
                ref T lr = ref MemoryMarshal.GetReference(l);
                ref T rr = ref MemoryMarshal.GetReference(r);
                for (; i <= n - lanes; i += lanes) {
                    var xv = Vector256.LoadUnsafe(ref xr, (nuint)i);
                    var z = unit ? xv : xv * vb;
                    // clamp_min(z, 0): NaN stays NaN.
                    var smooth = Vector256.ConditionalSelect(Vector256.LessThan(z, Vector256<T>.Zero), Vector256<T>.Zero, z)
                                 + Vector256.LoadUnsafe(ref lr, (nuint)i);
                    if (!unit) smooth /= vb;
                    Vector256.ConditionalSelect(Vector256.GreaterThan(z, vt), xv, smooth).StoreUnsafe(ref rr, (nuint)i);
                }
            }
            for (; i < n; i++) {
                T z = unit ? x[i] : x[i] * beta;
                T smooth = (z < T.Zero ? T.Zero : z) + l[i];
                if (!unit) smooth /= beta;
                r[i] = z > threshold ? x[i] : smooth;
            }
        }

        public static void SoftplusBackward(ReadOnlySpan<T> x, ReadOnlySpan<T> g, ReadOnlySpan<T> e, T beta, T threshold, Span<T> r)
        {
            bool unit = beta == T.One;
            int n = x.Length, i = 0;
            if (Vector256.IsHardwareAccelerated) {
                int lanes = Vector256<T>.Count;
                var vb = Vector256.Create(beta);
                var vt = Vector256.Create(threshold);
                var one = Vector256<T>.One;
                ref T xr = ref MemoryMarshal.GetReference(x);
                ref T gr = ref MemoryMarshal.GetReference(g);
                ref T er = ref MemoryMarshal.GetReference(e);
                ref T rr = ref MemoryMarshal.GetReference(r);
                for (; i <= n - lanes; i += lanes) {
                    var xv = Vector256.LoadUnsafe(ref xr, (nuint)i);
                    var z = unit ? xv : xv * vb;
                    var gv = Vector256.LoadUnsafe(ref gr, (nuint)i);
                    var slope = one / (Vector256.LoadUnsafe(ref er, (nuint)i) + one);
                    Vector256.ConditionalSelect(Vector256.GreaterThan(z, vt), gv, slope * gv).StoreUnsafe(ref rr, (nuint)i);
                }
            }
            for (; i < n; i++) {
                T z = unit ? x[i] : x[i] * beta;
                r[i] = z > threshold ? g[i] : (T.One / (e[i] + T.One)) * g[i];
            }
        }
    }
}
