using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests;

/// <summary>
/// One row of the specification table: how to call the package's activation and TorchSharp's
/// built-in, the float64 reference (forward and vector-Jacobian product along the last dim), and the
/// kinks where the notes fix the derivative.
/// </summary>
public sealed record ActivationCase(
    string Spec,
    Func<Tensor, Tensor> Ours,
    Func<Tensor, Tensor>? Builtin,
    Func<double[], double[]> Forward,
    Func<double[], double[], double[]> Vjp)
{
    /// <summary>Points where the derivative is not defined; cross-checks stay away from them.</summary>
    public double[] Kinks { get; init; } = [];

    /// <summary>The derivative the notes state at each kink: (x, f'(x)).</summary>
    public (double X, double Slope)[] KinkSlopes { get; init; } = [];

    /// <summary>Whether the built-in has a backward (torch.heaviside does not).</summary>
    public bool BuiltinHasGradient { get; init; } = true;

    /// <summary>Whether it normalizes along the last dim (softmax family) rather than element by element.</summary>
    public bool AlongDim { get; init; }

    /// <summary>Whether it is smooth, so finite differences apply everywhere (away from kinks otherwise).</summary>
    public bool Discontinuous { get; init; }

    /// <summary>Whether f′ is constant on each piece, so that every second derivative is 0 (ReLU and its kin).</summary>
    public bool PiecewiseLinear { get; init; }

    public override string ToString() => Spec;

    public static ActivationCase Elementwise(string spec, Func<Tensor, Tensor> ours, Func<Tensor, Tensor>? builtin,
                                             Func<double, double> f, Func<double, double> df) =>
        new(spec, ours, builtin,
            row => row.Select(f).ToArray(),
            (row, g) => row.Select((x, i) => g[i] * df(x)).ToArray());

    public static ActivationCase RowWise(string spec, Func<Tensor, Tensor> ours, Func<Tensor, Tensor> builtin,
                                         Func<double[], double[]> f, Func<double[], double[], double[]> vjp) =>
        new(spec, ours, builtin, f, vjp) { AlongDim = true };
}
