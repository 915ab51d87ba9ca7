using System.Runtime.Intrinsics;
using TorchActivations.Core.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests;

/// <summary>
/// On a CPU with 512-bit vectors the kernels run their generated 512-bit forms, elsewhere the 256-bit ones. Here
/// the 256-bit kernels are switched on for the test's thread, so both forms meet the float64 formula and the
/// extremes on this machine, and the two must agree bit for bit: they take the same steps on wider registers.
/// </summary>
public class KernelWidthTests
{
    static void Narrow(Action check)
    {
        KernelRunner.NarrowOnThisThread = true;
        try { check(); } finally { KernelRunner.NarrowOnThisThread = false; }
    }

    readonly CrossCheckTests checks = new();
    readonly KernelTailTests tails = new();

    [Theory]
    [MemberData(nameof(KernelTailTests.Cases), MemberType = typeof(KernelTailTests))]
    public void Narrow_kernels_match_the_float64_formula(ActivationCase c, ScalarType dtype) =>
        Narrow(() => checks.Matches_the_float64_formula(c, dtype));

    /// <summary>The softmax family's backward rows (33 long: a tail at both widths), at 256 bits.</summary>
    public static IEnumerable<object[]> RowCases() =>
        from c in ActivationTable.All
        where c.AlongDim
        from dtype in new[] { ScalarType.Float32, ScalarType.Float64 }
        select new object[] { c, dtype };

    [Theory]
    [MemberData(nameof(RowCases))]
    public void Narrow_row_kernels_match_the_float64_formula(ActivationCase c, ScalarType dtype) =>
        Narrow(() => checks.Matches_the_float64_formula(c, dtype));

    [Theory]
    [MemberData(nameof(KernelTailTests.Cases), MemberType = typeof(KernelTailTests))]
    public void Narrow_kernels_handle_extremes_in_body_and_tail(ActivationCase c, ScalarType dtype) =>
        Narrow(() => tails.Body_and_tail_agree_with_the_composed_path_on_extremes(c, dtype));

    /// <summary>Random values spread over ±40, the extremes and the kinks, in a length that leaves a tail at both widths.</summary>
    [Theory]
    [MemberData(nameof(KernelTailTests.Cases), MemberType = typeof(KernelTailTests))]
    public void Wide_and_narrow_kernels_agree_bit_for_bit(ActivationCase c, ScalarType dtype)
    {
        var values = new List<double> { 0, -0.0, 1e-45, -1e-45, 5e-324, 1000, -1000, 3e38, -3e38, 1e300, -1e300,
            double.PositiveInfinity, double.NegativeInfinity, double.NaN };
        values.AddRange(c.Kinks);
        var rng = new Random(5);
        while (values.Count % 16 != 11) values.Add(rng.NextDouble() * 80 - 40);
        values.AddRange(Enumerable.Range(0, 1000).Select(_ => rng.NextDouble() * 80 - 40));
        values.AddRange(c.Kinks);
        var x = torch.tensor(values.ToArray(), dtype: ScalarType.Float64).to_type(dtype);
        var g = torch.linspace(-2, 2, values.Count, dtype: dtype);

        var (wy, wdx) = Harness.ForwardBackward(c.Ours, x, g);
        (Tensor Output, Tensor Grad) narrow = (wy, wdx);
        Narrow(() => narrow = Harness.ForwardBackward(c.Ours, x, g));
        var xs = TensorAssert.Values(x);
        TensorAssert.Close(TensorAssert.Values(narrow.Output), TensorAssert.Values(wy), 0, 0, $"{c} forward, 512 vs 256 bits", xs);
        TensorAssert.Close(TensorAssert.Values(narrow.Grad), TensorAssert.Values(wdx), 0, 0, $"{c} gradient, 512 vs 256 bits", xs);
    }

    [Fact]
    public void The_wide_kernels_run_where_the_cpu_accelerates_512_bit_vectors()
    {
        Assert.Equal(Vector512.IsHardwareAccelerated, KernelRunner.Wide);
        Narrow(() => Assert.False(KernelRunner.Wide));
    }
}
