using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchActivations.Core.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Core;

/// <summary>
/// Softmax, softmin and log-softmax backward in one pass per row, where torch ops would need an exp or a
/// product, a row sum, a subtraction and another product, each with its own temporary. null means the tensors
/// are not float32/float64 CPU tensors of one shape and dtype, or not rows along the last dim, and the caller
/// composes instead. Not differentiable: only for backward when grad mode is off.
/// </summary>
internal static class Fused
{
    /// <summary>Whether the fused kernels take <paramref name="x"/> (and <paramref name="a"/>, <paramref name="b"/> alongside it).</summary>
    public static bool Eligible(Tensor x, Tensor a, Tensor? b = null) =>
        x.numel() > 0 && FastPath.Supports(x) && x.dtype == a.dtype && a.device_type == DeviceType.CPU && FastPath.SameShape(x, a)
        && (b is null || (x.dtype == b.dtype && b.device_type == DeviceType.CPU && FastPath.SameShape(x, b)));

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

    /// <summary>
    /// Log-softmax backward along the last dim, row by row: g − e^y·Σg. The row sum is accumulated in SIMD lanes
    /// (see <see cref="SoftmaxBackward"/>); e^y is <see cref="VectorMath.Exp{T}(Vector256{T})"/>.
    /// </summary>
    public static Tensor? LogSoftmaxBackward(Tensor grad, Tensor y, long dim)
    {
        if (y.dim() < 1 || dim != y.dim() - 1 || !Eligible(y, grad)) return null;
        long rowLength = y.size((int)dim);
        if (rowLength == 0 || rowLength > int.MaxValue) return null;
        var (gc, yc) = (FastPath.Contiguous(grad), FastPath.Contiguous(y));
        var r = torch.empty_like(yc);
        if (y.dtype == ScalarType.Float32) Kernels<float>.LogSoftmaxBackward(Span<float>(gc), Span<float>(yc), (int)rowLength, Span<float>(r));
        else Kernels<double>.LogSoftmaxBackward(Span<double>(gc), Span<double>(yc), (int)rowLength, Span<double>(r));
        return r;
    }

    static Span<T> Span<T>(Tensor t) where T : unmanaged => FastPath.Span<T>(t);

    static class Kernels<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static void LogSoftmaxBackward(ReadOnlySpan<T> g, ReadOnlySpan<T> y, int rowLength, Span<T> r)
        {
            for (int start = 0; start < y.Length; start += rowLength) {
                var gRow = g.Slice(start, rowLength);
                var yRow = y.Slice(start, rowLength);
                var rRow = r.Slice(start, rowLength);
                T sum = RowSum(gRow);
                int i = 0;
                if (Vector256.IsHardwareAccelerated) {
                    int lanes = Vector256<T>.Count;
                    var vs = Vector256.Create(sum);
                    ref T gr = ref MemoryMarshal.GetReference(gRow);
                    ref T yr = ref MemoryMarshal.GetReference(yRow);
                    ref T rr = ref MemoryMarshal.GetReference(rRow);
                    for (; i <= rowLength - lanes; i += lanes) {
                        var e = VectorMath.Exp(Vector256.LoadUnsafe(ref yr, (nuint)i));
                        (Vector256.LoadUnsafe(ref gr, (nuint)i) - e * vs).StoreUnsafe(ref rr, (nuint)i);
                    }
                }
                for (; i < rowLength; i++) rRow[i] = gRow[i] - T.Exp(yRow[i]) * sum;
            }
        }

        static T RowSum(ReadOnlySpan<T> row)
        {
            int i = 0;
            T sum = T.Zero;
            if (Vector256.IsHardwareAccelerated && row.Length >= Vector256<T>.Count) {
                int lanes = Vector256<T>.Count;
                var acc = Vector256<T>.Zero;
                ref T rr = ref MemoryMarshal.GetReference(row);
                for (; i <= row.Length - lanes; i += lanes) acc += Vector256.LoadUnsafe(ref rr, (nuint)i);
                sum = Vector256.Sum(acc);
            }
            for (; i < row.Length; i++) sum += row[i];
            return sum;
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
    }
}
