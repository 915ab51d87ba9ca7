using System.Numerics;
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
    /// Softmax backward along the last dim, row by row: dot = Σ g⊙y over the row, then (g − dot)⊙y, or
    /// (dot − g)⊙y for softmin, both through <see cref="KernelRunner"/> at its vector width. The row sum is
    /// accumulated in SIMD lanes, so it may differ from torch's sum in the last bits (as any reordering of a
    /// reduction does), and between the two widths.
    /// </summary>
    public static Tensor? SoftmaxBackward(Tensor grad, Tensor y, long dim, bool negate) =>
        Rows(grad, y, dim, negate ? Row.Softmin : Row.Softmax);

    /// <summary>
    /// Log-softmax backward along the last dim, row by row: g − e^y·Σg. The row sum is accumulated in SIMD lanes
    /// (see <see cref="SoftmaxBackward"/>); e^y is <see cref="VectorMath.Exp{T}(Vector256{T})"/>.
    /// </summary>
    public static Tensor? LogSoftmaxBackward(Tensor grad, Tensor y, long dim) => Rows(grad, y, dim, Row.LogSoftmax);

    enum Row { Softmax, Softmin, LogSoftmax }

    static Tensor? Rows(Tensor grad, Tensor y, long dim, Row row)
    {
        // The row kernels run through KernelRunner, whose vectors are only fast where the CPU has 256-bit ones.
        if (!Vector256.IsHardwareAccelerated || y.dim() < 1 || dim != y.dim() - 1 || !Eligible(y, grad)) return null;
        long rowLength = y.size((int)dim);
        if (rowLength == 0 || rowLength > int.MaxValue) return null;
        var (gc, yc) = (FastPath.Contiguous(grad), FastPath.Contiguous(y));
        var r = torch.empty_like(yc);
        if (y.dtype == ScalarType.Float32) Kernels<float>.Run(row, Span<float>(gc), Span<float>(yc), (int)rowLength, Span<float>(r));
        else Kernels<double>.Run(row, Span<double>(gc), Span<double>(yc), (int)rowLength, Span<double>(r));
        return r;
    }

    static Span<T> Span<T>(Tensor t) where T : unmanaged => FastPath.Span<T>(t);

    static class Kernels<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static void Run(Row row, ReadOnlySpan<T> g, ReadOnlySpan<T> y, int rowLength, Span<T> r)
        {
            var (product, second) = (new Product(), new Second());
            for (int start = 0; start < y.Length; start += rowLength) {
                var gRow = g.Slice(start, rowLength);
                var yRow = y.Slice(start, rowLength);
                var rRow = r.Slice(start, rowLength);
                if (row == Row.LogSoftmax) {
                    var gradient = new LogSoftmaxGradient(double.CreateTruncating(KernelRunner.Sum(gRow, gRow, ref second)));
                    KernelRunner.Map(yRow, gRow, rRow, ref gradient);
                } else {
                    var gradient = new SoftmaxGradient(double.CreateTruncating(KernelRunner.Sum(gRow, yRow, ref product)), row == Row.Softmin);
                    KernelRunner.Map(yRow, gRow, rRow, ref gradient);
                }
            }
        }
    }
}

// The row kernels, run by KernelRunner; a row's sum travels as a Constant (exact: a float widens to double exactly).

/// <summary>a·b: the terms of Σ g⊙y.</summary>
[Widened]
internal readonly partial struct Product : IBackwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a * b;
}

/// <summary>b: the terms of Σ g.</summary>
[Widened]
internal readonly partial struct Second : IBackwardKernel
{
    public Vector256<T> Invoke<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => b;
}

/// <summary>Softmax's input gradient (g − dot)⊙y, softmin's (dot − g)⊙y, dot = Σ g⊙y over the row.</summary>
[Widened]
internal readonly partial struct SoftmaxGradient(double dot, bool negate) : IBackwardKernel
{
    readonly Constant dot = new(dot);

    public Vector256<T> Invoke<T>(Vector256<T> y, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T> =>
        (negate ? dot.Vector<T>() - g : g - dot.Vector<T>()) * y;
}

/// <summary>Log-softmax's input gradient g − e^y·sum, sum = Σ g over the row.</summary>
[Widened]
internal readonly partial struct LogSoftmaxGradient(double sum) : IBackwardKernel
{
    readonly Constant sum = new(sum);

    public Vector256<T> Invoke<T>(Vector256<T> y, Vector256<T> g) where T : unmanaged, IFloatingPointIeee754<T> =>
        g - VectorMath.Exp(y) * sum.Vector<T>();
}
