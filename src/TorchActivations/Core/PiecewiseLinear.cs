using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;
using TorchActivations.Core.Kernels;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core;

/// <summary>
/// A piecewise-linear activation whose derivative takes two values: its <see cref="Rule"/> computes the value and a
/// 1-byte mask of which slope applies, which is all backward keeps.
/// </summary>
internal abstract class PiecewiseLinearDefinition : UnaryDefinition
{
    protected abstract PiecewiseLinear Rule { get; }

    public sealed override bool PiecewiseConstantDerivative => true;

    public sealed override Tensor Forward(Tensor x, List<Tensor>? save) => Rule.Forward(x, save);

    public sealed override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved) => Rule.Backward(grad, saved[0]);

    public sealed override Tensor? UnrecordedBackward(Tensor grad, IReadOnlyList<Tensor> saved) => Rule.UnrecordedBackward(grad, saved[0]);
}

/// <summary>The piecewise-linear activations whose derivative takes two values, 1 and <see cref="PiecewiseLinear.BlockedSlope"/>.</summary>
internal enum PiecewiseKind
{
    /// <summary>max(x, 0); slope 1 for x ≥ 0 (and NaN), 0 for x &lt; 0.</summary>
    Relu,
    /// <summary>x for x ≥ 0, a·x otherwise (A = a); slope 1 for x ≥ 0, a otherwise (also for NaN).</summary>
    LeakyRelu,
    /// <summary>clamp(x, A, B); slope 1 on [A, B) (and NaN), 0 elsewhere.</summary>
    Clamp,
    /// <summary>x for x &gt; A, B otherwise; slope 1 where x ≤ A is false, 0 otherwise.</summary>
    Threshold,
    /// <summary>x − clamp(x, −A, A); slope 1 for |x| ≥ A (and NaN), 0 otherwise.</summary>
    Softshrink,
    /// <summary>x for |x| ≥ A, 0 otherwise; slope 1 for |x| &gt; A (and NaN), 0 otherwise.</summary>
    Hardshrink,
}

/// <summary>
/// Forward and backward of the piecewise-linear activations. What backward needs is one byte per element,
/// 1 where the slope is 1 and 0 where it is <see cref="BlockedSlope"/>, saved as a uint8 tensor.
/// </summary>
/// <remarks>
/// float32 and float64 tensors on the CPU take a fused path: one pass over the input writes the output and
/// the byte mask, one pass over the mask and the gradient writes the input gradient (<see cref="PiecewiseKernels"/>,
/// over spans of the tensors' memory). Torch's own kernels would need several passes here, and its bool-mask kernels
/// (masked_fill, where, bool-to-float casts) are many times slower than plain arithmetic on this build.
/// The fused forward computes the same IEEE operations as the composed one (comparisons, a select, one
/// multiplication or subtraction in the tensor's dtype), so both give identical values; the composed path
/// serves other dtypes and devices, and backward under create_graph (where the result must be differentiable).
/// </remarks>
internal readonly record struct PiecewiseLinear(PiecewiseKind Kind, double A = 0, double B = 0)
{
    /// <summary>The slope where the mask is 0.</summary>
    public double BlockedSlope => Kind == PiecewiseKind.LeakyRelu ? A : 0;

    public Tensor Forward(Tensor x, List<Tensor>? save)
    {
        if (x.numel() > 0 && PiecewiseKernels.Available && FastPath.Supports(x)) {
            var xc = FastPath.Contiguous(x);
            var y = torch.empty_like(xc);
            Tensor? mask = save is null ? null : torch.empty_like(xc, dtype: ScalarType.Byte);
            var maskBytes = mask is null ? default : mask.bytes;
            if (x.dtype == ScalarType.Float32)
                PiecewiseKernels.Forward(Kind, (float)A, (float)B, FastPath.Span<float>(xc), FastPath.Span<float>(y), maskBytes);
            else
                PiecewiseKernels.Forward(Kind, A, B, FastPath.Span<double>(xc), FastPath.Span<double>(y), maskBytes);
            if (mask is not null) save!.Add(mask);
            return y;
        }
        var (output, pass) = ComposedForward(x);
        if (save is not null) save.Add(pass.to_type(ScalarType.Byte));
        return output;
    }

    /// <summary>One pass over the gradient and the mask, where both are on the CPU in a supported dtype; not differentiable.</summary>
    public Tensor? UnrecordedBackward(Tensor grad, Tensor mask)
    {
        if (grad.numel() == 0 || !PiecewiseKernels.Available || !FastPath.Supports(grad) || grad.numel() != mask.numel()
            || !mask.is_contiguous() || mask.device_type != DeviceType.CPU) return null;
        var gc = FastPath.Contiguous(grad);
        var result = torch.empty_like(gc);
        if (grad.dtype == ScalarType.Float32)
            PiecewiseKernels.Backward((float)BlockedSlope, FastPath.Span<float>(gc), mask.bytes, FastPath.Span<float>(result));
        else
            PiecewiseKernels.Backward(BlockedSlope, FastPath.Span<double>(gc), mask.bytes, FastPath.Span<double>(result));
        return result;
    }

    /// <summary>The gradient as a select on the mask: differentiable in grad (create_graph), and exact where grad is ±inf.</summary>
    public Tensor Backward(Tensor grad, Tensor mask)
    {
        var pass = mask.to(grad.device).to_type(ScalarType.Bool);
        var blocked = BlockedSlope == 0 ? torch.zeros_like(grad) : grad.mul(S(BlockedSlope));
        return grad.where(pass, blocked);
    }

    /// <summary>The output and the bool mask of slope-1 elements, from torch's own operations.</summary>
    (Tensor Output, Tensor Pass) ComposedForward(Tensor x)
    {
        switch (Kind) {
            case PiecewiseKind.Relu: {
                var blocked = x.lt(Zero);
                return (x.clamp_min(Zero), blocked.logical_not_());
            }
            case PiecewiseKind.LeakyRelu: {
                var nonNegative = x.ge(Zero);
                return (x.where(nonNegative, x.mul(S(A))), nonNegative);
            }
            case PiecewiseKind.Clamp: {
                var blocked = x.lt(S(A)).logical_or_(x.ge(S(B)));
                return (x.clamp(S(A), S(B)), blocked.logical_not_());
            }
            case PiecewiseKind.Threshold: {
                var replaced = x.le(S(A));
                return (x.masked_fill(replaced, S(B)), replaced.logical_not_());
            }
            case PiecewiseKind.Softshrink: {
                var pass = x.abs().lt(S(A)).logical_not_();
                return (x - x.clamp(S(-A), S(A)), pass);
            }
            case PiecewiseKind.Hardshrink: {
                var magnitude = x.abs();
                return (x.masked_fill(magnitude.lt(S(A)), Zero), magnitude.le(S(A)).logical_not_());
            }
            default:
                throw new InvalidOperationException($"Unknown piecewise-linear kind {Kind}.");
        }
    }
}

/// <summary>When a tensor's memory can be processed directly as a span.</summary>
internal static class FastPath
{
    /// <summary>
    /// Set by tests on their own thread to run the composed torch-op path that other devices (CUDA) and
    /// dtypes take, on float32/float64 CPU tensors too, so both paths are checked against the references.
    /// </summary>
    [ThreadStatic] internal static bool DisabledOnThisThread;

    /// <summary>float32 or float64 on the CPU, with fewer than 2³¹ bytes. Strided inputs are made contiguous first.</summary>
    public static bool Supports(Tensor t) =>
        !DisabledOnThisThread
        && (t.dtype == ScalarType.Float32 || t.dtype == ScalarType.Float64)
        && t.device_type == DeviceType.CPU
        && t.numel() * t.element_size() <= int.MaxValue;

    /// <summary>Whether two tensors have one shape (sizes read one by one: <c>shape</c> allocates and costs ~1 µs).</summary>
    public static bool SameShape(Tensor a, Tensor b)
    {
        if (ReferenceEquals(a, b)) return true;
        long rank = a.dim();
        if (b.dim() != rank) return false;
        for (int d = 0; d < rank; d++)
            if (a.size(d) != b.size(d)) return false;
        return true;
    }

    /// <summary>The tensor itself when contiguous (no new handle to create and dispose), else a contiguous copy.</summary>
    public static Tensor Contiguous(Tensor t) => t.is_contiguous() ? t : t.contiguous();

    /// <summary>The elements of a contiguous CPU tensor, in place.</summary>
    public static Span<T> Span<T>(Tensor contiguous) where T : unmanaged => MemoryMarshal.Cast<byte, T>(contiguous.bytes);

    /// <summary>
    /// <c>ifTrue.where(cond, otherwise)</c> with cond = <c>x·scale &gt; threshold</c> (or ≥ when <paramref name="orEqual"/>),
    /// the product and comparison in the tensors' dtype as torch computes them. One fused pass over float32/float64
    /// CPU tensors of one shape (torch's where with a bool mask is many times slower on this build); torch.where otherwise.
    /// Not differentiable: only for forward, or backward when grad mode is off.
    /// </summary>
    public static Tensor Where(Tensor x, double scale, double threshold, bool orEqual, Tensor ifTrue, Tensor otherwise)
    {
        if (x.numel() > 0 && Supports(x) && x.dtype == ifTrue.dtype && x.dtype == otherwise.dtype
            && ifTrue.device_type == DeviceType.CPU && otherwise.device_type == DeviceType.CPU
            && SameShape(x, ifTrue) && SameShape(x, otherwise)) {
            var (xc, tc, oc) = (Contiguous(x), Contiguous(ifTrue), Contiguous(otherwise));
            var result = torch.empty_like(xc);
            if (x.dtype == ScalarType.Float32)
                WhereKernel<float>.Run(Span<float>(xc), (float)scale, (float)threshold, orEqual, Span<float>(tc), Span<float>(oc), Span<float>(result));
            else
                WhereKernel<double>.Run(Span<double>(xc), scale, threshold, orEqual, Span<double>(tc), Span<double>(oc), Span<double>(result));
            return result;
        }
        var z = scale == 1 ? x : x.mul(S(scale));
        return ifTrue.where(orEqual ? z.ge(S(threshold)) : z.gt(S(threshold)), otherwise);
    }

    /// <summary>Derivatives written in terms of a saved tensor s (the output, or tanh x for tanhshrink).</summary>
    public enum SavedSlope
    {
        /// <summary>(g·s)·(1 − s): sigmoid, s = σ(x).</summary>
        Sigmoid,
        /// <summary>(1 − s·s)·g: tanh, s = tanh x.</summary>
        Tanh,
        /// <summary>g·(s·s): tanhshrink, s = tanh x.</summary>
        TanhSquared,
    }

    /// <summary>
    /// The input gradient from <paramref name="grad"/> and the saved <paramref name="s"/> in one pass, with the
    /// operations and rounding of the composed formula given in <see cref="SavedSlope"/>; null when the tensors
    /// are not float32/float64 CPU tensors of one shape and dtype. Not differentiable: only when grad mode is off.
    /// </summary>
    public static Tensor? TrySavedSlope(SavedSlope kind, Tensor grad, Tensor s)
    {
        if (grad.numel() == 0 || !Supports(grad) || grad.dtype != s.dtype || s.device_type != DeviceType.CPU
            || !SameShape(grad, s))
            return null;
        var (gc, sc) = (Contiguous(grad), Contiguous(s));
        var result = torch.empty_like(gc);
        if (grad.dtype == ScalarType.Float32)
            SlopeKernel<float>.Run(kind, Span<float>(gc), Span<float>(sc), Span<float>(result));
        else
            SlopeKernel<double>.Run(kind, Span<double>(gc), Span<double>(sc), Span<double>(result));
        return result;
    }

    static class SlopeKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static void Run(SavedSlope kind, ReadOnlySpan<T> g, ReadOnlySpan<T> s, Span<T> r)
        {
            int n = g.Length, i = 0;
            if (Vector256.IsHardwareAccelerated) {
                int lanes = Vector256<T>.Count;
                var one = Vector256<T>.One;
                ref T gr = ref MemoryMarshal.GetReference(g);
                ref T sr = ref MemoryMarshal.GetReference(s);
                ref T rr = ref MemoryMarshal.GetReference(r);
                for (; i <= n - lanes; i += lanes) {
                    var gv = Vector256.LoadUnsafe(ref gr, (nuint)i);
                    var sv = Vector256.LoadUnsafe(ref sr, (nuint)i);
                    var rv = kind switch {
                        SavedSlope.Sigmoid => (gv * sv) * (one - sv),
                        SavedSlope.Tanh => (one - sv * sv) * gv,
                        _ => gv * (sv * sv),
                    };
                    rv.StoreUnsafe(ref rr, (nuint)i);
                }
            }
            for (; i < n; i++) {
                T gv = g[i], sv = s[i];
                r[i] = kind switch {
                    SavedSlope.Sigmoid => (gv * sv) * (T.One - sv),
                    SavedSlope.Tanh => (T.One - sv * sv) * gv,
                    _ => gv * (sv * sv),
                };
            }
        }
    }

    static class WhereKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static void Run(ReadOnlySpan<T> x, T scale, T threshold, bool orEqual, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> r)
        {
            int n = x.Length, i = 0;
            bool unit = scale == T.One;
            if (Vector256.IsHardwareAccelerated) {
                int lanes = Vector256<T>.Count;
                var vs = Vector256.Create(scale);
                var vt = Vector256.Create(threshold);
                ref T xr = ref MemoryMarshal.GetReference(x);
                ref T ar = ref MemoryMarshal.GetReference(a);
                ref T br = ref MemoryMarshal.GetReference(b);
                ref T rr = ref MemoryMarshal.GetReference(r);
                for (; i <= n - lanes; i += lanes) {
                    var z = Vector256.LoadUnsafe(ref xr, (nuint)i);
                    if (!unit) z *= vs;
                    var cond = orEqual ? Vector256.GreaterThanOrEqual(z, vt) : Vector256.GreaterThan(z, vt);
                    Vector256.ConditionalSelect(cond, Vector256.LoadUnsafe(ref ar, (nuint)i), Vector256.LoadUnsafe(ref br, (nuint)i))
                        .StoreUnsafe(ref rr, (nuint)i);
                }
            }
            for (; i < n; i++) {
                var z = unit ? x[i] : x[i] * scale;
                r[i] = (orEqual ? z >= threshold : z > threshold) ? a[i] : b[i];
            }
        }
    }
}
