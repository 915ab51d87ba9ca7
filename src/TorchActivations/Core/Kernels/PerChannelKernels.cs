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
        if (x.dtype == ScalarType.Float32) Blocks<float>.Forward<KF>(FastPath.Span<float>(xc), Slopes<float>(weight), (int)block, FastPath.Span<float>(y));
        else Blocks<double>.Forward<KF>(FastPath.Span<double>(xc), Slopes<double>(weight), (int)block, FastPath.Span<double>(y));
        return y;
    }

    /// <summary>
    /// The input gradient by <typeparamref name="KB"/> and the parameter's gradient (shaped like
    /// <paramref name="weight"/>) as the sum of <typeparamref name="KT"/>'s terms; not differentiable.
    /// </summary>
    public static (Tensor Input, Tensor Weight)? Backward<KB, KT>(Tensor x, Tensor weight, Tensor grad)
        where KB : struct, IBackwardKernel, IPerChannelKernel<KB> where KT : struct, IBackwardKernel, IPerChannelKernel<KT>
    {
        long block = BlockLength(x, weight);
        if (block == 0 || grad.dtype != x.dtype || grad.device_type != DeviceType.CPU || !FastPath.SameShape(x, grad)) return null;
        var (xc, gc) = (FastPath.Contiguous(x), FastPath.Contiguous(grad));
        var dx = torch.empty_like(xc);
        var dw = torch.empty_like(weight);
        if (x.dtype == ScalarType.Float32)
            Blocks<float>.Backward<KB, KT>(FastPath.Span<float>(xc), FastPath.Span<float>(gc), Slopes<float>(weight), (int)block,
                FastPath.Span<float>(dx), FastPath.Span<float>(dw));
        else
            Blocks<double>.Backward<KB, KT>(FastPath.Span<double>(xc), FastPath.Span<double>(gc), Slopes<double>(weight), (int)block,
                FastPath.Span<double>(dx), FastPath.Span<double>(dw));
        return (dx, dw);
    }

    /// <summary>The parameter's values as doubles (exact for float32), read once per call.</summary>
    static double[] Slopes<T>(Tensor weight) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = FastPath.Span<T>(FastPath.Contiguous(weight));
        var slopes = new double[w.Length];
        for (int i = 0; i < w.Length; i++) slopes[i] = double.CreateTruncating(w[i]);
        return slopes;
    }

    static class Blocks<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static void Forward<KF>(ReadOnlySpan<T> x, double[] slopes, int block, Span<T> y)
            where KF : struct, IForwardKernel, IPerChannelKernel<KF>
        {
            for (int start = 0, b = 0; start < x.Length; start += block, b++) {
                var kernel = KF.For(slopes[b % slopes.Length]);
                KernelRunner.Map(x.Slice(start, block), y.Slice(start, block), ref kernel);
            }
        }

        public static void Backward<KB, KT>(ReadOnlySpan<T> x, ReadOnlySpan<T> g, double[] slopes, int block, Span<T> dx, Span<T> dw)
            where KB : struct, IBackwardKernel, IPerChannelKernel<KB> where KT : struct, IBackwardKernel, IPerChannelKernel<KT>
        {
            var sums = new double[slopes.Length];
            for (int start = 0, b = 0; start < x.Length; start += block, b++) {
                int channel = b % slopes.Length;
                var kernel = KB.For(slopes[channel]);
                var terms = KT.For(slopes[channel]);
                // Chunk by chunk, so the second read of x and g hits the cache.
                for (int c = start, end = start + block; c < end; c += Chunk) {
                    int length = Math.Min(Chunk, end - c);
                    var xs = x.Slice(c, length);
                    var gs = g.Slice(c, length);
                    KernelRunner.Map(xs, gs, dx.Slice(c, length), ref kernel);
                    sums[channel] += double.CreateTruncating(KernelRunner.Sum(xs, gs, ref terms));
                }
            }
            for (int c = 0; c < sums.Length; c++) dw[c] = T.CreateTruncating(sums[c]);
        }
    }
}
