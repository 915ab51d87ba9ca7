using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TorchActivations.Core.Kernels;

/// <summary>
/// The fused loops of the piecewise-linear activations (<see cref="PiecewiseLinear"/>): forward writes the output
/// and one byte per element (1 where the slope is 1, 0 where it is the blocked slope), backward reads those bytes
/// and the gradient. Written for 256-bit vectors; the generator gives each a 512-bit twin. The tail runs through
/// a zero-padded vector, as in <see cref="KernelRunner"/>, so every element takes the body's comparisons. Only the
/// byte-mask reads and writes are written at both widths by hand: they change shape with the lane count.
/// </summary>
[Widened]
internal static partial class PiecewiseKernels
{
    /// <summary>Whether the loops run here: 256-bit vectors, and the little-endian memory the mask writes assume.</summary>
    public static bool Available => Vector256.IsHardwareAccelerated && BitConverter.IsLittleEndian;

    /// <summary>The output into <paramref name="y"/> and, unless <paramref name="mask"/> is empty, the slope bytes into it.</summary>
    public static void Forward<T>(PiecewiseKind kind, T a, T b, ReadOnlySpan<T> x, Span<T> y, Span<byte> mask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (KernelRunner.Wide) ForwardWide(kind, a, b, x, y, mask);
        else ForwardNarrow(kind, a, b, x, y, mask);
    }

    /// <summary>The input gradient: the gradient where the mask byte is 1, <paramref name="blockedSlope"/> times it elsewhere.</summary>
    public static void Backward<T>(T blockedSlope, ReadOnlySpan<T> grad, ReadOnlySpan<byte> mask, Span<T> result)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (KernelRunner.Wide) BackwardWide(blockedSlope, grad, mask, result);
        else BackwardNarrow(blockedSlope, grad, mask, result);
    }

    /// <summary>The output of one vector and, in <paramref name="pass"/>, all-ones lanes where the slope is 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<T> Step<T>(PiecewiseKind kind, Vector256<T> v, Vector256<T> a, Vector256<T> b, out Vector256<T> pass)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (kind) {
            case PiecewiseKind.Relu: {
                var blocked = Vector256.LessThan(v, Vector256<T>.Zero);
                pass = ~blocked;
                return Vector256.ConditionalSelect(blocked, Vector256<T>.Zero, v);
            }
            case PiecewiseKind.LeakyRelu:
                pass = Vector256.GreaterThanOrEqual(v, Vector256<T>.Zero);
                return Vector256.ConditionalSelect(pass, v, v * a);
            case PiecewiseKind.Clamp: {
                var below = Vector256.LessThan(v, a);
                pass = ~(below | Vector256.GreaterThanOrEqual(v, b));
                var low = Vector256.ConditionalSelect(below, a, v);
                return Vector256.ConditionalSelect(Vector256.GreaterThan(low, b), b, low);
            }
            case PiecewiseKind.Threshold: {
                var replaced = Vector256.LessThanOrEqual(v, a);
                pass = ~replaced;
                return Vector256.ConditionalSelect(replaced, b, v);
            }
            case PiecewiseKind.Softshrink: {
                // x − clamp(x, −a, a): the same subtraction as the composed path, so the same rounding.
                var negA = -a;
                var low = Vector256.ConditionalSelect(Vector256.LessThan(v, negA), negA, v);
                pass = ~Vector256.LessThan(Vector256.Abs(v), a);
                return v - Vector256.ConditionalSelect(Vector256.GreaterThan(low, a), a, low);
            }
            default: {   // Hardshrink
                var magnitude = Vector256.Abs(v);
                pass = ~Vector256.LessThanOrEqual(magnitude, a);
                return Vector256.ConditionalSelect(Vector256.LessThan(magnitude, a), Vector256<T>.Zero, v);
            }
        }
    }

    [WidenedAs(nameof(ForwardWide))]
    public static void ForwardNarrow<T>(PiecewiseKind kind, T a, T b, ReadOnlySpan<T> x, Span<T> y, Span<byte> mask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Length, lanes = Vector256<T>.Count, i = 0;
        bool writeMask = !mask.IsEmpty;
        var va = Vector256.Create(a);
        var vb = Vector256.Create(b);
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref MemoryMarshal.GetReference(y);
        ref byte mr = ref MemoryMarshal.GetReference(mask);
        for (; i <= n - lanes; i += lanes) {
            Step(kind, Vector256.LoadUnsafe(ref xr, (nuint)i), va, vb, out var pass).StoreUnsafe(ref yr, (nuint)i);
            if (writeMask) StoreMask(pass, ref mr, i);
        }
        if (i == n) return;
        KernelRunner.LoadPadded(x[i..], out Vector256<T> tail);
        KernelRunner.StorePartial(Step(kind, tail, va, vb, out var tailPass), y[i..]);
        if (!writeMask) return;
        Span<byte> bytes = stackalloc byte[Vector256<T>.Count];
        StoreMask(tailPass, ref MemoryMarshal.GetReference(bytes), 0);
        bytes[..(n - i)].CopyTo(mask[i..]);
    }

    [WidenedAs(nameof(BackwardWide))]
    public static void BackwardNarrow<T>(T blockedSlope, ReadOnlySpan<T> grad, ReadOnlySpan<byte> mask, Span<T> result)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = grad.Length, lanes = Vector256<T>.Count, i = 0;
        var vs = Vector256.Create(blockedSlope);
        bool zero = blockedSlope == T.Zero;
        ref T gr = ref MemoryMarshal.GetReference(grad);
        ref T rr = ref MemoryMarshal.GetReference(result);
        ref byte mr = ref MemoryMarshal.GetReference(mask);
        for (; i <= n - lanes; i += lanes) {
            var g = Vector256.LoadUnsafe(ref gr, (nuint)i);
            LoadPass(ref mr, i, out Vector256<T> pass);
            // A blocked slope of 0 gives 0, not g·0, which would be NaN where g is ±∞.
            Vector256.ConditionalSelect(pass, g, zero ? Vector256<T>.Zero : g * vs).StoreUnsafe(ref rr, (nuint)i);
        }
        if (i == n) return;
        KernelRunner.LoadPadded(grad[i..], out Vector256<T> tail);
        Span<byte> bytes = stackalloc byte[Vector256<T>.Count];
        bytes.Clear();
        mask[i..].CopyTo(bytes);
        LoadPass(ref MemoryMarshal.GetReference(bytes), 0, out Vector256<T> tailPass);
        KernelRunner.StorePartial(Vector256.ConditionalSelect(tailPass, tail, zero ? Vector256<T>.Zero : tail * vs), result[i..]);
    }

    // ---- the slope bytes, one per lane: 8 or 4 per 256-bit vector, 16 or 8 per 512-bit vector ----

    /// <summary>Writes 1 for each all-ones lane of <paramref name="pass"/> and 0 for the others, at <c>mask[i..]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining), NotWidened]
    static void StoreMask<T>(Vector256<T> pass, ref byte mask, int i) where T : unmanaged
    {
        // AVX2 has no lane-to-byte narrowing: the lanes' sign bits index a table of 8 bytes each.
        uint bits = pass.ExtractMostSignificantBits();
        if (typeof(T) == typeof(float)) Unsafe.WriteUnaligned(ref Unsafe.Add(ref mask, i), ByteLanes[bits]);
        else Unsafe.WriteUnaligned(ref Unsafe.Add(ref mask, i), (uint)ByteLanes[bits]);
    }

    /// <inheritdoc cref="StoreMask{T}(Vector256{T}, ref byte, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining), NotWidened]
    static void StoreMask<T>(Vector512<T> pass, ref byte mask, int i) where T : unmanaged
    {
        // vpmovdb / vpmovqb: each lane truncated to its low byte, after the all-ones lanes are reduced to 1.
        if (typeof(T) == typeof(float)) {
            var ones = Vector512.ShiftRightLogical(pass.AsUInt32(), 31);
            Avx512F.ConvertToVector128Byte(ones).StoreUnsafe(ref mask, (nuint)i);
        } else {
            var ones = Vector512.ShiftRightLogical(pass.AsUInt64(), 63);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref mask, i), Avx512F.ConvertToVector128Byte(ones).AsUInt64().ToScalar());
        }
    }

    /// <summary>All-ones lanes where the byte at <c>mask[i..]</c> is not 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining), NotWidened]
    static void LoadPass<T>(ref byte mask, int i, out Vector256<T> pass) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) {
            var bytes = Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref mask, i))).AsByte();
            Vector256<int> wide;
            if (Avx2.IsSupported) {
                wide = Avx2.ConvertToVector256Int32(bytes);
            } else {
                var (lo, hi) = Vector128.Widen(Vector128.WidenLower(bytes));
                wide = Vector256.Create(lo, hi).AsInt32();
            }
            pass = (~Vector256.Equals(wide, Vector256<int>.Zero)).As<int, T>();
        } else {
            var bytes = Vector128.CreateScalar(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref mask, i))).AsByte();
            Vector256<long> wide;
            if (Avx2.IsSupported) {
                wide = Avx2.ConvertToVector256Int64(bytes);
            } else {
                var (lo, hi) = Vector128.Widen(Vector128.WidenLower(Vector128.WidenLower(bytes)));
                wide = Vector256.Create(lo, hi).AsInt64();
            }
            pass = (~Vector256.Equals(wide, Vector256<long>.Zero)).As<long, T>();
        }
    }

    /// <inheritdoc cref="LoadPass{T}(ref byte, int, out Vector256{T})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining), NotWidened]
    static void LoadPass<T>(ref byte mask, int i, out Vector512<T> pass) where T : unmanaged
    {
        // vpmovzxbd / vpmovzxbq: 16 or 8 bytes zero-extended to the lanes.
        if (typeof(T) == typeof(float)) {
            var wide = Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref mask, (nuint)i));
            pass = (~Vector512.Equals(wide, Vector512<int>.Zero)).As<int, T>();
        } else {
            var bytes = Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref mask, i))).AsByte();
            var wide = Avx512F.ConvertToVector512Int64(bytes);
            pass = (~Vector512.Equals(wide, Vector512<long>.Zero)).As<long, T>();
        }
    }

    /// <summary>For each 8-bit pattern, the 8 bytes (0 or 1) of its bits, lowest bit first.</summary>
    static readonly ulong[] ByteLanes = BuildByteLanes();

    static ulong[] BuildByteLanes()
    {
        var table = new ulong[256];
        for (int bits = 0; bits < 256; bits++)
            for (int k = 0; k < 8; k++)
                if ((bits & (1 << k)) != 0) table[bits] |= 1UL << (8 * k);
        return table;
    }
}
