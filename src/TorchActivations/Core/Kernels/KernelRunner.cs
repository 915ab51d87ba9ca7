using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Core.Kernels;

/// <summary>An element-wise forward formula: y = f(x), one vector of lanes at a time.</summary>
internal interface IForwardKernel
{
    Vector256<T> Invoke<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The same formula on 512-bit vectors: generated from the 256-bit one (see <see cref="WidenedAttribute"/>).</summary>
    Vector512<T> Invoke<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>An element-wise input gradient: dx = f(s, g), s being what forward saved (the input or the output).</summary>
internal interface IBackwardKernel
{
    Vector256<T> Invoke<T>(Vector256<T> saved, Vector256<T> grad) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <inheritdoc cref="IForwardKernel.Invoke{T}(Vector512{T})"/>
    Vector512<T> Invoke<T>(Vector512<T> saved, Vector512<T> grad) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// An input gradient that also yields, per element, a term of a parameter's gradient (PReLU's slope, Swish's β):
/// both from one evaluation of the formula. The term must be 0 for x = 0, g = 0 (a short span's zero padding).
/// </summary>
internal interface IParameterBackwardKernel
{
    Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> grad, out Vector256<T> term) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <inheritdoc cref="IForwardKernel.Invoke{T}(Vector512{T})"/>
    Vector512<T> Invoke<T>(Vector512<T> x, Vector512<T> grad, out Vector512<T> term) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// Marks a partial type whose methods on <c>Vector256</c> get 512-bit twins from TorchActivations.Generators: the same
/// body with <c>Vector256</c> renamed to <c>Vector512</c> and AVX/FMA3 intrinsics to their AVX-512 namesakes. The
/// formulas are written once; machines with AVX-512 run them on twice the lanes, rounding step for step alike.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct)]
internal sealed class WidenedAttribute : Attribute;

/// <summary>A method of a <see cref="WidenedAttribute"/> type whose 512-bit form is written by hand beside it.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class NotWidenedAttribute : Attribute;

/// <summary>
/// A method of a <see cref="WidenedAttribute"/> type whose signature has no vector to overload on (a loop over spans):
/// its 512-bit twin gets the given name.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class WidenedAsAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// Runs a kernel over whole tensors in one pass: it checks the tensors once, dispatches on float32/float64 and
/// on the vector width (512 bits where the CPU accelerates them, else 256), runs the vector body and then the
/// tail as one more whole vector (the last lanes of the span, overlapping the body; or, in a span shorter than a
/// vector, zero-padded), so the tail takes exactly the code path of the body and each formula is written once.
/// Outputs therefore must not overlap inputs: an overlapped lane would be computed from its own output. Returns
/// null where the kernels do not apply (another dtype or device, no 256-bit vectors, or the fast paths switched
/// off for a test), and the caller composes torch ops instead.
/// </summary>
[Widened]
internal static partial class KernelRunner
{
    static bool Applies(Tensor t) => Vector256.IsHardwareAccelerated && t.numel() > 0 && FastPath.Supports(t);

    /// <summary>Set by tests on their own thread to run the 256-bit kernels on a machine with 512-bit vectors.</summary>
    [ThreadStatic] internal static bool NarrowOnThisThread;

    /// <summary>Whether this call runs the 512-bit kernels.</summary>
    internal static bool Wide => Vector512.IsHardwareAccelerated && !NarrowOnThisThread;

    /// <summary>f(x) into a new tensor shaped like <paramref name="x"/>.</summary>
    public static Tensor? Forward<K>(Tensor x, K kernel) where K : struct, IForwardKernel
    {
        if (!Applies(x)) return null;
        var xc = FastPath.Contiguous(x);
        var y = torch.empty_like(xc);
        if (x.dtype == ScalarType.Float32) Map<float, K>(FastPath.Span<float>(xc), FastPath.Span<float>(y), ref kernel);
        else Map<double, K>(FastPath.Span<double>(xc), FastPath.Span<double>(y), ref kernel);
        return y;
    }

    /// <summary>
    /// The input gradient from the saved tensor and the output gradient (or any f(a, b) of two tensors of one
    /// shape, such as RReLU's slopes from x and the samples). Its result is not differentiable: only code that
    /// autograd does not record calls it (an unrecorded backward, <see cref="UnaryDefinition.UnrecordedBackward"/>,
    /// or a forward).
    /// </summary>
    public static Tensor? Backward<K>(Tensor saved, Tensor grad, K kernel) where K : struct, IBackwardKernel
    {
        if (!Applies(saved) || grad.dtype != saved.dtype || grad.device_type != DeviceType.CPU
            || !FastPath.SameShape(saved, grad)) return null;
        var (sc, gc) = (FastPath.Contiguous(saved), FastPath.Contiguous(grad));
        var r = torch.empty_like(sc);
        if (saved.dtype == ScalarType.Float32)
            Map<float, K>(FastPath.Span<float>(sc), FastPath.Span<float>(gc), FastPath.Span<float>(r), ref kernel);
        else Map<double, K>(FastPath.Span<double>(sc), FastPath.Span<double>(gc), FastPath.Span<double>(r), ref kernel);
        return r;
    }

    /// <summary>f(x) over spans, at the width this call runs (<see cref="Wide"/>).</summary>
    internal static void Map<T, K>(ReadOnlySpan<T> x, Span<T> y, ref K kernel)
        where T : unmanaged, IFloatingPointIeee754<T> where K : struct, IForwardKernel
    {
        if (Wide) MapWide(x, y, ref kernel);
        else MapNarrow(x, y, ref kernel);
    }

    /// <summary>f(s, g) over spans, at the width this call runs (<see cref="Wide"/>).</summary>
    internal static void Map<T, K>(ReadOnlySpan<T> s, ReadOnlySpan<T> g, Span<T> r, ref K kernel)
        where T : unmanaged, IFloatingPointIeee754<T> where K : struct, IBackwardKernel
    {
        if (Wide) MapWide(s, g, r, ref kernel);
        else MapNarrow(s, g, r, ref kernel);
    }

    [WidenedAs(nameof(MapWide))]
    static void MapNarrow<T, K>(ReadOnlySpan<T> x, Span<T> y, ref K kernel)
        where T : unmanaged, IFloatingPointIeee754<T> where K : struct, IForwardKernel
    {
        int n = x.Length, lanes = Vector256<T>.Count, i = 0;
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref MemoryMarshal.GetReference(y);
        for (; i <= n - lanes; i += lanes)
            kernel.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        if (i == n) return;
        if (n >= lanes) {
            // The last whole vector, overlapping lanes already written: they get the same values again.
            kernel.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)(n - lanes))).StoreUnsafe(ref yr, (nuint)(n - lanes));
            return;
        }
        LoadPadded(x, out Vector256<T> tail);
        StorePartial(kernel.Invoke(tail), y);
    }

    [WidenedAs(nameof(MapWide))]
    static void MapNarrow<T, K>(ReadOnlySpan<T> s, ReadOnlySpan<T> g, Span<T> r, ref K kernel)
        where T : unmanaged, IFloatingPointIeee754<T> where K : struct, IBackwardKernel
    {
        int n = s.Length, lanes = Vector256<T>.Count, i = 0;
        ref T sr = ref MemoryMarshal.GetReference(s);
        ref T gr = ref MemoryMarshal.GetReference(g);
        ref T rr = ref MemoryMarshal.GetReference(r);
        for (; i <= n - lanes; i += lanes)
            kernel.Invoke(Vector256.LoadUnsafe(ref sr, (nuint)i), Vector256.LoadUnsafe(ref gr, (nuint)i)).StoreUnsafe(ref rr, (nuint)i);
        if (i == n) return;
        if (n >= lanes) {
            var last = (nuint)(n - lanes);
            kernel.Invoke(Vector256.LoadUnsafe(ref sr, last), Vector256.LoadUnsafe(ref gr, last)).StoreUnsafe(ref rr, last);
            return;
        }
        LoadPadded(s, out Vector256<T> savedTail);
        LoadPadded(g, out Vector256<T> gradTail);
        StorePartial(kernel.Invoke(savedTail, gradTail), r);
    }

    /// <summary>
    /// The sum of <c>kernel(a, b)</c> over all elements, accumulated lane-wise and then across the lanes (so the
    /// order of the additions depends on the vector width). The kernel must give 0 for (0, 0): the tail is padded
    /// with zeros.
    /// </summary>
    public static T Sum<T, K>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ref K kernel)
        where T : unmanaged, IFloatingPointIeee754<T> where K : struct, IBackwardKernel =>
        Wide ? SumWide(a, b, ref kernel) : SumNarrow(a, b, ref kernel);

    [WidenedAs(nameof(SumWide))]
    static T SumNarrow<T, K>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ref K kernel)
        where T : unmanaged, IFloatingPointIeee754<T> where K : struct, IBackwardKernel
    {
        int n = a.Length, lanes = Vector256<T>.Count, i = 0;
        ref T ar = ref MemoryMarshal.GetReference(a);
        ref T br = ref MemoryMarshal.GetReference(b);
        var sum = Vector256<T>.Zero;
        for (; i <= n - lanes; i += lanes)
            sum += kernel.Invoke(Vector256.LoadUnsafe(ref ar, (nuint)i), Vector256.LoadUnsafe(ref br, (nuint)i));
        if (i < n && n >= lanes) {
            // The last whole vector, with the lanes already summed masked out.
            var last = (nuint)(n - lanes);
            FromLane(i - (n - lanes), out Vector256<T> fresh);
            sum += kernel.Invoke(Vector256.LoadUnsafe(ref ar, last), Vector256.LoadUnsafe(ref br, last)) & fresh;
        } else if (i < n) {
            LoadPadded(a, out Vector256<T> aTail);
            LoadPadded(b, out Vector256<T> bTail);
            sum += kernel.Invoke(aTail, bTail);
        }
        return Vector256.Sum(sum);
    }

    /// <summary>
    /// The input gradient into <paramref name="r"/>, and the sum of the parameter-gradient terms, accumulated
    /// lane-wise and then across the lanes (as <see cref="Sum{T, K}"/>).
    /// </summary>
    public static T MapSum<T, K>(ReadOnlySpan<T> x, ReadOnlySpan<T> g, Span<T> r, ref K kernel)
        where T : unmanaged, IFloatingPointIeee754<T> where K : struct, IParameterBackwardKernel =>
        Wide ? MapSumWide(x, g, r, ref kernel) : MapSumNarrow(x, g, r, ref kernel);

    [WidenedAs(nameof(MapSumWide))]
    static T MapSumNarrow<T, K>(ReadOnlySpan<T> x, ReadOnlySpan<T> g, Span<T> r, ref K kernel)
        where T : unmanaged, IFloatingPointIeee754<T> where K : struct, IParameterBackwardKernel
    {
        int n = x.Length, lanes = Vector256<T>.Count, i = 0;
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T gr = ref MemoryMarshal.GetReference(g);
        ref T rr = ref MemoryMarshal.GetReference(r);
        var sum = Vector256<T>.Zero;
        Vector256<T> term;
        for (; i <= n - lanes; i += lanes) {
            kernel.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref gr, (nuint)i), out term).StoreUnsafe(ref rr, (nuint)i);
            sum += term;
        }
        if (i < n && n >= lanes) {
            var last = (nuint)(n - lanes);
            kernel.Invoke(Vector256.LoadUnsafe(ref xr, last), Vector256.LoadUnsafe(ref gr, last), out term).StoreUnsafe(ref rr, last);
            FromLane(i - (n - lanes), out Vector256<T> fresh);
            sum += term & fresh;
        } else if (i < n) {
            LoadPadded(x, out Vector256<T> xTail);
            LoadPadded(g, out Vector256<T> gTail);
            StorePartial(kernel.Invoke(xTail, gTail, out term), r);
            sum += term;
        }
        return Vector256.Sum(sum);
    }

    /// <summary>All-ones lanes from lane <paramref name="k"/> on, zero lanes below it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void FromLane<T>(int k, out Vector256<T> mask) where T : unmanaged
    {
        // Lane j of a vector loaded at (most lanes − k) reads past the zeros exactly when j ≥ k.
        if (typeof(T) == typeof(float))
            mask = Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(Bits32), (nuint)(16 - k)).As<uint, T>();
        else
            mask = Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(Bits64), (nuint)(8 - k)).As<ulong, T>();
    }

    /// <summary>Zeros, then all-ones, as many of each as the widest vector has float32 (16) or float64 (8) lanes.</summary>
    static readonly uint[] Bits32 = [.. Enumerable.Repeat(0u, 16), .. Enumerable.Repeat(uint.MaxValue, 16)];

    /// <inheritdoc cref="Bits32"/>
    static readonly ulong[] Bits64 = [.. Enumerable.Repeat(0ul, 8), .. Enumerable.Repeat(ulong.MaxValue, 8)];

    /// <summary>The last, partial vector of a span: its elements, then zeros.</summary>
    internal static void LoadPadded<T>(ReadOnlySpan<T> tail, out Vector256<T> vector) where T : unmanaged
    {
        Span<T> buffer = stackalloc T[Vector256<T>.Count];
        buffer.Clear();
        tail.CopyTo(buffer);
        vector = Vector256.Create<T>(buffer);
    }

    /// <summary>The first <c>destination.Length</c> lanes of <paramref name="vector"/> into <paramref name="destination"/>.</summary>
    internal static void StorePartial<T>(Vector256<T> vector, Span<T> destination) where T : unmanaged
    {
        Span<T> buffer = stackalloc T[Vector256<T>.Count];
        vector.CopyTo(buffer);
        buffer[..destination.Length].CopyTo(destination);
    }
}

/// <summary>Vector helpers the kernels share.</summary>
[Widened]
internal static partial class V
{
    /// <summary>A compile-time constant as a vector (folded by the JIT; for a kernel's run-time value use <see cref="Constant"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> C<T>(double value) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Create(T.CreateTruncating(value));

    /// <summary>min(max(x, lo), hi) by comparisons, so NaN stays NaN (vector min/max may return either operand).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Clamp<T>(Vector256<T> x, Vector256<T> lo, Vector256<T> hi) where T : unmanaged, IFloatingPointIeee754<T>
    {
        x = Vector256.ConditionalSelect(Vector256.LessThan(x, lo), lo, x);
        return Vector256.ConditionalSelect(Vector256.GreaterThan(x, hi), hi, x);
    }

    /// <summary>x with ±∞ replaced by the largest finite values of its sign (NaN stays NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Finite<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var max = typeof(T) == typeof(float) ? Vector256.Create(float.MaxValue).As<float, T>() : Vector256.Create(double.MaxValue).As<double, T>();
        return Clamp(x, -max, max);
    }

    /// <summary>σ(x) and σ(x)·(1 − σ(x)) from one e^(−|x|), both without cancellation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Sigmoid<T>(Vector256<T> x, out Vector256<T> derivative) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var e = VectorMath.Exp(-Vector256.Abs(x));
        var p = Vector256<T>.One / (Vector256<T>.One + e);
        derivative = e * p * p;
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<T>.Zero), e * p, p);
    }
}

/// <summary>
/// A kernel parameter held in both precisions, rounded to float once when the kernel is made. A double field
/// converted by <see cref="V.C{T}"/> inside the loop costs a vcvtsd2ss per use per vector, which the JIT
/// neither hoists nor breaks from its destination register: the instruction merges into that register's old
/// upper lanes, so each vector would wait on the previous vector's result and a float32 loop would run
/// latency-bound, slower than float64. Broadcasting a stored float has no such dependency.
/// </summary>
[Widened]
internal readonly partial struct Constant(double value)
{
    readonly double asDouble = value;
    readonly float asSingle = (float)value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Vector<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? Vector256.Create(asSingle).As<float, T>() : Vector256.Create(asDouble).As<double, T>();
}
