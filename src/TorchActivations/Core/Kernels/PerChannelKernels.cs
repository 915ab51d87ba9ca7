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

    /// <summary>
    /// The work as pieces of at most <see cref="Chunk"/> elements that never straddle a block: piece p is chunk
    /// p mod c of block p / c, c chunks per block. The parameter's gradient adds the pieces' sums in piece order.
    /// </summary>
    readonly record struct Pieces(long Block, long Count, int PerBlock)
    {
        public static Pieces Of(long numel, long block)
        {
            int perBlock = (int)((block + Chunk - 1) / Chunk);
            return new(block, numel / block * perBlock, perBlock);
        }

        public (int Start, int Length, long BlockIndex) this[long piece]
        {
            get {
                long b = piece / PerBlock, offset = piece % PerBlock * Chunk;
                return ((int)(b * Block + offset), (int)Math.Min(Chunk, Block - offset), b);
            }
        }
    }

    /// <summary>The output, by <typeparamref name="KF"/> made for each block's parameter value.</summary>
    public static Tensor? Forward<KF>(Tensor x, Tensor weight) where KF : struct, IForwardKernel, IPerChannelKernel<KF>
    {
        long block = BlockLength(x, weight);
        if (block == 0) return null;
        var xc = FastPath.Contiguous(x);
        var y = torch.empty_like(xc);
        var values = Values(weight);
        var pieces = Pieces.Of(x.numel(), block);
        bool single = x.dtype == ScalarType.Float32;
        for (long p = 0; p < pieces.Count; p++) {
            var (start, length, b) = pieces[p];
            var kernel = KF.For(values[b % values.Length]);
            if (single) KernelRunner.Map(FastPath.Span<float>(xc).Slice(start, length), FastPath.Span<float>(y).Slice(start, length), ref kernel);
            else KernelRunner.Map(FastPath.Span<double>(xc).Slice(start, length), FastPath.Span<double>(y).Slice(start, length), ref kernel);
        }
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
        var values = Values(weight);
        var pieces = Pieces.Of(x.numel(), block);
        var totals = new double[values.Length];
        bool single = x.dtype == ScalarType.Float32;
        for (long p = 0; p < pieces.Count; p++) {
            var (start, length, b) = pieces[p];
            double value = values[b % values.Length];
            totals[b % values.Length] += single
                ? Piece<float, K>(FastPath.Span<float>(xc).Slice(start, length), FastPath.Span<float>(gc).Slice(start, length),
                    FastPath.Span<float>(dx).Slice(start, length), value)
                : Piece<double, K>(FastPath.Span<double>(xc).Slice(start, length), FastPath.Span<double>(gc).Slice(start, length),
                    FastPath.Span<double>(dx).Slice(start, length), value);
        }
        if (single) { var w = FastPath.Span<float>(dw); for (int c = 0; c < w.Length; c++) w[c] = (float)totals[c]; }
        else totals.CopyTo(FastPath.Span<double>(dw));
        return (dx, dw);
    }

    /// <summary>One piece's input gradient, and the sum of its parameter-gradient terms.</summary>
    static double Piece<T, K>(ReadOnlySpan<T> x, ReadOnlySpan<T> g, Span<T> dx, double value)
        where T : unmanaged, IFloatingPointIeee754<T> where K : struct, IParameterBackwardKernel, IPerChannelKernel<K>
    {
        var kernel = K.For(value);
        return double.CreateTruncating(KernelRunner.MapSum(x, g, dx, ref kernel));
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
