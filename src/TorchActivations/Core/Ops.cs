using TorchSharp;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core;

/// <summary>Small tensor idioms the definitions share.</summary>
internal static class Ops
{
    /// <summary>
    /// The gradient with zeros where <paramref name="blocked"/> is true: one pass, and the 1-byte mask
    /// is all a piecewise-linear activation needs to keep for backward.
    /// </summary>
    /// <remarks>
    /// torch's masked_fill (and where) on a bool mask is 10–15× slower than plain arithmetic on the CPU
    /// (docs/performance.md): the package's own piecewise-linear activations use <see cref="PiecewiseLinear"/>.
    /// </remarks>
    public static Tensor BlockWhere(Tensor blocked, Tensor grad) => grad.masked_fill(blocked, Zero);

    /// <summary>1 / (1 + e^(-x)), finite for every finite x (e^(-x) may overflow to +inf, giving exactly 0). Four passes: torch's sigmoid is one.</summary>
    /// <remarks>
    /// Out of place where autograd records (a backward under create_graph): exp's backward reads its own output,
    /// which an in-place add_ would overwrite, and libtorch would then abort the process in the second backward.
    /// </remarks>
    public static Tensor Logistic(Tensor x) =>
        torch.is_grad_enabled()
            ? x.neg().exp().add(One, One).reciprocal()
            : x.neg().exp_().add_(One, One).reciprocal_();

    /// <summary>A tensor shaped so that <paramref name="perChannel"/> (length C) broadcasts along dim 1 of an input of rank <paramref name="rank"/>.</summary>
    public static Tensor AlongChannels(Tensor perChannel, long rank)
    {
        if (perChannel.numel() == 1) return perChannel.reshape(Array.Empty<long>());
        var shape = new long[rank];
        Array.Fill(shape, 1L);
        shape[1] = perChannel.numel();
        return perChannel.reshape(shape);
    }
}
