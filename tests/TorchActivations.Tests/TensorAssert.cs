using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests;

public static class TensorAssert
{
    /// <summary>Float64 results must be within rounding of the exact value; float32 within its precision.</summary>
    public static (double Rtol, double Atol) Tolerance(ScalarType dtype) =>
        dtype == ScalarType.Float64 ? (1e-12, 1e-15) : (1e-5, 1e-6);

    public static double[] Values(Tensor t) =>
        t.numel() == 0 ? [] : t.detach().cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();

    /// <summary>The float64 values rounded to <paramref name="dtype"/>, as a correctly rounded result in that dtype would be.</summary>
    public static double[] RoundTo(double[] values, ScalarType dtype) =>
        Values(torch.tensor(values, dtype: ScalarType.Float64).to_type(dtype));

    /// <summary>|actual − expected| ≤ atol + rtol·|expected| everywhere; NaN only where NaN is expected.</summary>
    public static void Close(double[] expected, double[] actual, double rtol, double atol, string what, double[]? inputs = null)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) {
            double e = expected[i], a = actual[i];
            bool ok = double.IsNaN(e) ? double.IsNaN(a)
                : double.IsInfinity(e) ? a == e
                : Math.Abs(a - e) <= atol + rtol * Math.Abs(e);
            if (!ok) {
                var at = inputs is null ? "" : $" at x = {inputs[i]:R}";
                Assert.Fail($"{what}: element {i}{at}: expected {e:R}, got {a:R} (difference {Math.Abs(a - e):R}, tolerance {atol + rtol * Math.Abs(e):R}).");
            }
        }
    }

    public static void Close(Tensor expected, Tensor actual, double rtol, double atol, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        Close(Values(expected), Values(actual), rtol, atol, what);
    }
}
