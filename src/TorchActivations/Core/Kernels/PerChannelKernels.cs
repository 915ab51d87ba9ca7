using System.Numerics;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Core.Kernels;

/// <summary>
/// Activations with a per-channel parameter (PReLU's slope, Swish's β) in one pass forward and one backward over
/// contiguous float32/float64 CPU tensors: the input, viewed as [outer, C, inner], is a run of blocks of
/// <c>inner</c> elements that share one parameter value, each mapped by a <see cref="KernelRunner"/> kernel made
/// for that value. Backward writes the input gradient and sums the parameter's gradient block by block in the
/// same sweep. Returns null where this does not apply (another dtype or device, or blocks too short
/// for vectors to pay, as in a [N, C] input with a slope per channel); the caller composes torch ops then.
/// </summary>
internal static class PerChannelKernels
{
    /// <summary>Blocks shorter than this go to the composed path: per-block setup would outweigh the vector work.</summary>
    const long MinimumBlock = 64;

    /// <summary>Elements summed in vector lanes before the partial sum joins a float64 total, which bounds the float32 rounding.</summary>
    const int Chunk = 4096;

    /// <summary>The block length, or 0 when the kernels do not apply.</summary>
    static long BlockLength(Tensor x, Tensor weight)
    {
        if (!Vector256.IsHardwareAccelerated || x.numel() == 0 || !FastPath.Supports(x)
            || weight.dtype != x.dtype || weight.device_type != DeviceType.CPU) return 0;
        if (weight.numel() == 1) return x.numel();
        long block = x.numel() / (x.size(0) * x.size(1));
        return block >= MinimumBlock ? block : 0;
    }

    /// <summary>The output, by <typeparamref name="KF"/> made for each block's parameter value.</summary>
    public static Tensor? Forward<KF>(Tensor x, Tensor weight) where KF : struct, IForwardKernel, IPerChannelKernel<KF>
    {
        long block = BlockLength(x, weight);
        if (block == 0) return null;
        var xc = FastPath.Contiguous(x);
        var y = torch.empty_like(xc);
        if (x.dtype == ScalarType.Float32) Blocks<float>.Forward<KF>(FastPath.Span<float>(xc), Values(weight), (int)block, FastPath.Span<float>(y));
        else Blocks<double>.Forward<KF>(FastPath.Span<double>(xc), Values(weight), (int)block, FastPath.Span<double>(y));
        return y;
    }

    /// <summary>
    /// The input gradient and the parameter's gradient (shaped like <paramref name="weight"/>), the sum of the
    /// terms, both by <typeparamref name="K"/> in one sweep; not differentiable.
    /// </summary>
    public static (Tensor Input, Tensor Weight)? Backward<K>(Tensor x, Tensor weight, Tensor grad)
        where K : struct, IParameterBackwardKernel, IPerChannelKernel<K>
    {
        long block = BlockLength(x, weight);
        if (block == 0 || grad.dtype != x.dtype || grad.device_type != DeviceType.CPU || !FastPath.SameShape(x, grad)) return null;
        var (xc, gc) = (FastPath.Contiguous(x), FastPath.Contiguous(grad));
        var dx = torch.empty_like(xc);
        var dw = torch.empty_like(weight);
        if (x.dtype == ScalarType.Float32)
            Blocks<float>.Backward<K>(FastPath.Span<float>(xc), FastPath.Span<float>(gc), Values(weight), (int)block,
                FastPath.Span<float>(dx), FastPath.Span<float>(dw));
        else
            Blocks<double>.Backward<K>(FastPath.Span<double>(xc), FastPath.Span<double>(gc), Values(weight), (int)block,
                FastPath.Span<double>(dx), FastPath.Span<double>(dw));
        return (dx, dw);
    }

    static class Blocks<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static void Forward<KF>(ReadOnlySpan<T> x, double[] values, int block, Span<T> y)
            where KF : struct, IForwardKernel, IPerChannelKernel<KF>
        {
            for (int start = 0, b = 0; start < x.Length; start += block, b++) {
                var kernel = KF.For(values[b % values.Length]);
                KernelRunner.Map(x.Slice(start, block), y.Slice(start, block), ref kernel);
            }
        }

        public static void Backward<K>(ReadOnlySpan<T> x, ReadOnlySpan<T> g, double[] values, int block, Span<T> dx, Span<T> dw)
            where K : struct, IParameterBackwardKernel, IPerChannelKernel<K>
        {
            var totals = new double[values.Length];
            for (int start = 0, b = 0; start < x.Length; start += block, b++) {
                int channel = b % values.Length;
                var kernel = K.For(values[channel]);
                for (int c = start, end = start + block; c < end; c += Chunk) {
                    int length = Math.Min(Chunk, end - c);
                    totals[channel] += double.CreateTruncating(KernelRunner.MapSum(x.Slice(c, length), g.Slice(c, length), dx.Slice(c, length), ref kernel));
                }
            }
            for (int c = 0; c < totals.Length; c++) dw[c] = T.CreateTruncating(totals[c]);
        }
    }

    /// <summary>The parameter's values as doubles (exact for float32), read once per call.</summary>
    static double[] Values(Tensor weight)
    {
        var w = FastPath.Contiguous(weight);
        if (weight.dtype == ScalarType.Float32) {
            var f = FastPath.Span<float>(w);
            var values = new double[f.Length];
            for (int i = 0; i < f.Length; i++) values[i] = f[i];
            return values;
        }
        return FastPath.Span<double>(w).ToArray();
    }
}
