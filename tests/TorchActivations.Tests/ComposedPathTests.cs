using TorchActivations.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests;

/// <summary>
/// float32/float64 CPU tensors take fused fast paths; every other device (CUDA) and dtype takes the composed
/// torch-op path. These run the table's checks with the fast paths switched off on the test's thread, so the
/// path CUDA users get is held to the same references, and compare the two paths with each other.
/// </summary>
public class ComposedPathTests
{
    static void Composed(Action check)
    {
        FastPath.DisabledOnThisThread = true;
        try { check(); } finally { FastPath.DisabledOnThisThread = false; }
    }

    readonly CrossCheckTests checks = new();

    [Theory]
    [MemberData(nameof(ActivationTable.CasesAndDtypes), MemberType = typeof(ActivationTable))]
    public void Composed_path_matches_the_float64_formula(ActivationCase c, ScalarType dtype) =>
        Composed(() => checks.Matches_the_float64_formula(c, dtype));

    [Theory]
    [MemberData(nameof(ActivationTable.CasesAndDtypes), MemberType = typeof(ActivationTable))]
    public void Composed_path_stays_finite_for_huge_inputs(ActivationCase c, ScalarType dtype) =>
        Composed(() => checks.Stays_finite_for_huge_inputs(c, dtype));

    [Theory]
    [MemberData(nameof(ActivationTable.CasesAndDtypes), MemberType = typeof(ActivationTable))]
    public void Composed_path_uses_the_same_kink_values(ActivationCase c, ScalarType dtype) =>
        Composed(() => checks.Uses_the_derivative_the_notes_state_at_kinks(c, dtype));

    [Theory]
    [MemberData(nameof(ActivationTable.CasesAndDtypes), MemberType = typeof(ActivationTable))]
    public void Fast_and_composed_paths_agree(ActivationCase c, ScalarType dtype)
    {
        var x = Harness.Inputs(c, [2, 3, 8, 5], dtype, seed: 9);
        var g = Harness.GradOutput([2, 3, 8, 5], dtype, seed: 10);
        // Row-wise cases normalize along dim 1; give them a matrix.
        if (c.AlongDim) { x = x.reshape(6, 40); g = g.reshape(6, 40); }
        var (fy, fdx) = Harness.ForwardBackward(c.Ours, x, g);
        (Tensor Output, Tensor Grad) composed = (fy, fdx);
        Composed(() => composed = Harness.ForwardBackward(c.Ours, x, g));
        var (rtol, atol) = TensorAssert.Tolerance(dtype);
        TensorAssert.Close(composed.Output, fy, rtol, atol, $"{c} forward, fast vs composed");
        TensorAssert.Close(composed.Grad, fdx, rtol, atol, $"{c} gradient, fast vs composed");
    }
}
