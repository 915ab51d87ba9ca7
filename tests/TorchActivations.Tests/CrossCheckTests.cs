using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests;

/// <summary>
/// For every row of <see cref="ActivationTable"/>: forward and input gradient against the float64
/// formula, the built-in against the same formula (so it is a trustworthy reference), the package
/// against the built-in on many shapes, and the gradient against finite differences.
/// </summary>
public class CrossCheckTests
{
    static readonly long[] Matrix = [16, 33];

    [Theory]
    [MemberData(nameof(ActivationTable.CasesAndDtypes), MemberType = typeof(ActivationTable))]
    public void Matches_the_float64_formula(ActivationCase c, ScalarType dtype)
    {
        var x = Harness.Inputs(c, Matrix, dtype);
        var g = Harness.GradOutput(Matrix, dtype);
        var (y, dx) = Harness.ForwardBackward(c.Ours, x, g);
        var (ey, edx) = Harness.Expected(c, x, g);
        var (rtol, atol) = TensorAssert.Tolerance(dtype);
        var xs = TensorAssert.Values(x);
        TensorAssert.Close(ey, TensorAssert.Values(y), rtol, atol, $"{c} forward ({dtype})", xs);
        TensorAssert.Close(edx, TensorAssert.Values(dx), rtol, atol, $"{c} gradient ({dtype})", xs);
    }

    [Theory]
    [MemberData(nameof(ActivationTable.Cases), MemberType = typeof(ActivationTable))]
    public void The_builtin_reference_computes_the_formula(ActivationCase c)
    {
        if (c.Builtin is null) return;
        var x = Harness.Inputs(c, Matrix, ScalarType.Float64);
        var g = Harness.GradOutput(Matrix, ScalarType.Float64);
        var (ey, edx) = Harness.Expected(c, x, g);
        var (rtol, atol) = TensorAssert.Tolerance(ScalarType.Float64);
        var xs = TensorAssert.Values(x);
        if (c.BuiltinHasGradient) {
            var (y, dx) = Harness.ForwardBackward(c.Builtin, x, g);
            TensorAssert.Close(ey, TensorAssert.Values(y), rtol, atol, $"built-in {c} forward", xs);
            TensorAssert.Close(edx, TensorAssert.Values(dx), rtol, atol, $"built-in {c} gradient", xs);
        } else {
            TensorAssert.Close(ey, TensorAssert.Values(c.Builtin(x)), rtol, atol, $"built-in {c} forward", xs);
        }
    }

    public static IEnumerable<object[]> Shapes()
    {
        long[][] shapes = [[], [7], [2, 3, 5, 4], [0], [3, 0, 2]];
        foreach (var c in ActivationTable.All)
            foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
                foreach (var shape in shapes) {
                    if (c.AlongDim && shape.Length < 2) continue;
                    yield return [c, dtype, shape];
                }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_the_builtin_on_any_shape(ActivationCase c, ScalarType dtype, long[] shape)
    {
        var x = Harness.Inputs(c, shape, dtype);
        var g = Harness.GradOutput(shape, dtype);
        var (rtol, atol) = TensorAssert.Tolerance(dtype);
        var (y, dx) = Harness.ForwardBackward(c.Ours, x, g);
        Assert.Equal(x.shape, y.shape);
        Assert.Equal(dtype, y.dtype);
        if (c.BuiltinHasGradient) {
            var (by, bdx) = Harness.ForwardBackward(c.Builtin!, x, g);
            TensorAssert.Close(by, y, rtol, atol, $"{c} forward vs built-in");
            TensorAssert.Close(bdx, dx, rtol, atol, $"{c} gradient vs built-in");
        } else {
            TensorAssert.Close(c.Builtin!(x), y, rtol, atol, $"{c} forward vs built-in");
        }
    }

    [Theory]
    [MemberData(nameof(ActivationTable.CasesAndDtypes), MemberType = typeof(ActivationTable))]
    public void Works_on_non_contiguous_inputs(ActivationCase c, ScalarType dtype)
    {
        var wide = Harness.Inputs(c, [12, 10], dtype);
        var x = wide.t()[.., TensorIndex.Slice(0, null, 2)];   // transposed and strided: [10, 6]
        Assert.False(x.is_contiguous());
        var g = Harness.GradOutput([10, 6], dtype);
        var (y, dx) = Harness.ForwardBackward(c.Ours, x, g);
        var (cy, cdx) = Harness.ForwardBackward(c.Ours, x.contiguous(), g);
        // Element-wise results are identical; reductions along a dim may sum in another order.
        var (rtol, atol) = c.AlongDim ? TensorAssert.Tolerance(dtype) : (0, 0);
        TensorAssert.Close(cy, y, rtol, atol, $"{c} forward, strided vs contiguous");
        TensorAssert.Close(cdx, dx, rtol, atol, $"{c} gradient, strided vs contiguous");
    }

    [Theory]
    [MemberData(nameof(ActivationTable.Cases), MemberType = typeof(ActivationTable))]
    public void Gradient_matches_finite_differences(ActivationCase c)
    {
        const double h = 1e-6;
        var x = Harness.Inputs(c, [4, 9], ScalarType.Float64, seed: 5);
        // Keep the difference quotient on one side of every kink or jump.
        foreach (var k in c.Kinks)
            x = torch.where((x - k).abs() < 10 * h, x + 100 * h, x);
        var g = Harness.GradOutput([4, 9], ScalarType.Float64, seed: 6);
        var (_, dx) = Harness.ForwardBackward(c.Ours, x, g);

        var xs = TensorAssert.Values(x);
        var numeric = new double[xs.Length];
        for (int i = 0; i < xs.Length; i++) {
            var plus = (double[])xs.Clone(); plus[i] += h;
            var minus = (double[])xs.Clone(); minus[i] -= h;
            using var yp = c.Ours(torch.tensor(plus, dtype: ScalarType.Float64).reshape(4, 9));
            using var ym = c.Ours(torch.tensor(minus, dtype: ScalarType.Float64).reshape(4, 9));
            numeric[i] = ((yp - ym) * g).sum().item<double>() / (2 * h);
        }
        TensorAssert.Close(numeric, TensorAssert.Values(dx), 1e-6, 1e-7, $"{c} gradient vs central differences", xs);
    }

    [Theory]
    [MemberData(nameof(ActivationTable.CasesAndDtypes), MemberType = typeof(ActivationTable))]
    public void Uses_the_derivative_the_notes_state_at_kinks(ActivationCase c, ScalarType dtype)
    {
        foreach (var (at, slope) in c.KinkSlopes) {
            var (_, dx) = Harness.ForwardBackward(c.Ours, torch.tensor(new[] { at }, dtype: dtype), torch.ones(1, dtype: dtype));
            var expected = TensorAssert.RoundTo([slope], dtype)[0];
            var actual = TensorAssert.Values(dx)[0];
            Assert.True(expected == actual, $"{c}'({at}) should be {expected} in {dtype}, got {actual}");
        }
    }

    [Theory]
    [MemberData(nameof(ActivationTable.CasesAndDtypes), MemberType = typeof(ActivationTable))]
    public void Stays_finite_for_huge_inputs(ActivationCase c, ScalarType dtype)
    {
        double[] extremes = [-1000, -100, -30, -1e-30, 0, 1e-30, 30, 100, 1000];
        var x = torch.tensor(c.AlongDim ? [1000, 1001, 1002, -1000, 0, 1000, -3e38, 3e38, 0] : extremes, dtype: dtype).reshape(3, 3);
        var g = torch.ones(3, 3, dtype: dtype);
        var (y, dx) = Harness.ForwardBackward(c.Ours, x, g);
        var (ey, edx) = Harness.Expected(c, x, g);
        var (_, atol) = TensorAssert.Tolerance(dtype);
        var xs = TensorAssert.Values(x);
        // The exact value rounded to the dtype (it may overflow to ±inf there, as -6e38 does in float32).
        double rtol = dtype == ScalarType.Float64 ? 1e-12 : 1e-5;
        TensorAssert.Close(TensorAssert.RoundTo(ey, dtype), TensorAssert.Values(y), rtol, atol, $"{c} forward at extremes", xs);
        TensorAssert.Close(TensorAssert.RoundTo(edx, dtype), TensorAssert.Values(dx), rtol, atol, $"{c} gradient at extremes", xs);
    }

    [Theory]
    [MemberData(nameof(ActivationTable.Cases), MemberType = typeof(ActivationTable))]
    public void Records_nothing_without_grad(ActivationCase c)
    {
        var x = Harness.Inputs(c, Matrix, ScalarType.Float32);
        using var y = c.Ours(x);
        Assert.False(y.requires_grad);

        var leaf = x.clone().requires_grad_(true);
        using (torch.no_grad()) {
            using var z = c.Ours(leaf);
            Assert.False(z.requires_grad);
            TensorAssert.Close(y, z, 0, 0, $"{c} under no_grad");
        }
    }

    [Theory]
    [MemberData(nameof(ActivationTable.Cases), MemberType = typeof(ActivationTable))]
    public void Runs_in_half_precision(ActivationCase c)
    {
        foreach (var dtype in new[] { ScalarType.BFloat16, ScalarType.Float16 }) {
            var x = Harness.Inputs(c, [4, 8], dtype);
            var g = torch.ones(4, 8, dtype: dtype);
            var (y, dx) = Harness.ForwardBackward(c.Ours, x, g);
            Assert.Equal(dtype, y.dtype);
            Assert.Equal(dtype, dx.dtype);
            var (ey, edx) = Harness.Expected(c, x, g);
            // Compare with the formula at the precision of an 8-bit (bfloat16) or 11-bit (float16) mantissa.
            double rtol = dtype == ScalarType.BFloat16 ? 0.05 : 0.01;
            TensorAssert.Close(ey, TensorAssert.Values(y), rtol, rtol, $"{c} forward in {dtype}");
            TensorAssert.Close(edx, TensorAssert.Values(dx), rtol, rtol, $"{c} gradient in {dtype}");
        }
    }
}
