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
    static bool Eligible(Tensor x, Tensor a, Tensor? b = null) =>
        x.numel() > 0 && FastPath.Supports(x) && x.dtype == a.dtype && a.device_type == DeviceType.CPU && x.shape.SequenceEqual(a.shape)
        && (b is null || (x.dtype == b.dtype && b.device_type == DeviceType.CPU && x.shape.SequenceEqual(b.shape)));

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
