using TorchActivations.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests;

/// <summary>
/// The one-pass kernels run a vector body and a zero-padded tail. Here the extremes (±0, subnormals, ±1000,
/// ±3e38, ±∞, NaN) and every kink sit both in the body and in the tail of a tensor whose length is no
/// multiple of the vector width, and the fast path must agree with the composed torch-op path everywhere
/// (NaN where it gives NaN), also for a strided (non-contiguous) input.
/// </summary>
public class KernelTailTests
{
    public static IEnumerable<object[]> Cases() =>
        from c in ActivationTable.All
        where !c.AlongDim
        from dtype in new[] { ScalarType.Float32, ScalarType.Float64 }
        select new object[] { c, dtype };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Body_and_tail_agree_with_the_composed_path_on_extremes(ActivationCase c, ScalarType dtype)
    {
        double tiny = dtype == ScalarType.Float32 ? 1e-45 : 5e-324;
        var special = new List<double> { 0, -0.0, tiny, -tiny, 1e-3, -1e-3, 1000, -1000, 3e38, -3e38,
            double.PositiveInfinity, double.NegativeInfinity, double.NaN, 20.5, -20.5, 2.5, -2.5 };
        special.AddRange(c.Kinks);
        // Body: the specials from the start; tail: the same specials again in the last elements, after a
        // filler that makes the total length 3 more than a multiple of 8 (and of 4).
        var values = new List<double>(special);
        while ((values.Count + special.Count) % 8 != 3) values.Add(0.37 * values.Count - 5);
        values.AddRange(special);
        var x = torch.tensor(values.ToArray(), dtype: ScalarType.Float64).to_type(dtype);
        var g = torch.linspace(-2, 2, values.Count, dtype: dtype);

        var (fy, fdx) = Harness.ForwardBackward(c.Ours, x, g);
        (Tensor Output, Tensor Grad) composed = default;
        FastPath.DisabledOnThisThread = true;
        try { composed = Harness.ForwardBackward(c.Ours, x, g); } finally { FastPath.DisabledOnThisThread = false; }
        var (rtol, atol) = TensorAssert.Tolerance(dtype);
        var xs = TensorAssert.Values(x);
        TensorAssert.Close(TensorAssert.Values(composed.Output), TensorAssert.Values(fy), rtol, atol, $"{c} forward", xs);
        TensorAssert.Close(TensorAssert.Values(composed.Grad), TensorAssert.Values(fdx), rtol, atol, $"{c} gradient", xs);

        // Every other element of a doubled tensor: the same values, strided.
        var strided = torch.stack([x, x], dim: 1).reshape(-1)[TensorIndex.Slice(step: 2)];
        var (sy, sdx) = Harness.ForwardBackward(c.Ours, strided, g);
        TensorAssert.Close(TensorAssert.Values(fy), TensorAssert.Values(sy), 0, 0, $"{c} strided forward", xs);
        TensorAssert.Close(TensorAssert.Values(fdx), TensorAssert.Values(sdx), 0, 0, $"{c} strided gradient", xs);
    }
}
