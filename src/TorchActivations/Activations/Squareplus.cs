using TorchSharp;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core;

/// <summary>
/// Squareplus (Barron, 2021), a smooth ReLU made of a square root instead of exponentials:
/// Squareplus(x) = (x + √(x² + b)) / 2; Squareplus'(x) = (1 + x / √(x² + b)) / 2.
/// b &gt; 0 sets the curvature at 0, where the value is √b / 2 and the slope 1/2; b → 0 approaches ReLU.
/// Computed without cancellation for x &lt; 0 (as b / (2(√(x² + b) − x))) and without overflow of x²; keeps only the
/// input for backward.
/// </summary>
/// <param name="b">The curvature b &gt; 0. Default 4.</param>
[Activation("squareplus", "Squareplus", Inplace = true)]
internal sealed partial class SquareplusDefinition(double b = 4) : ElementwiseDefinition
{
    public double B { get; } = Guard.Positive(b, nameof(b));
    public override string Name => "squareplus";

    // No TorchSharp op: the same stable formula in built-in ops, differentiated by torch's autograd.
    public override Func<Tensor[], Tensor> Builtin => x => {
        var r = torch.hypot(x[0], torch.full_like(x[0], Math.Sqrt(B)));
        return torch.where(x[0] >= 0, (x[0] + r) / 2, B / (2 * (r - x[0])));
    };

    // r = √(x² + b) by hypot, so x² cannot overflow; r + |x| > 0 for b > 0.
    Tensor Root(Tensor x) => torch.hypot(x, torch.full_like(x, S(Math.Sqrt(B))));

    public override Tensor Forward(Tensor x, List<Tensor>? save)
    {
        save?.Add(x);
        var r = Root(x);
        var positive = x.add(r, One).div_(S(2));
        var negative = r.add_(x.abs(), One).reciprocal_().mul_(S(B / 2));
        return positive.where(x.ge(Zero), negative);
    }

    public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
    {
        var x = saved[0];
        var r = Root(x);
        // q = b / (2r(r + |x|)) = (1 − |x|/r) / 2: the slope is 1 − q for x ≥ 0 and q for x < 0, neither of which
        // cancels or meets ∞/∞ at x = ±∞. Out of place, so that the result stays differentiable under create_graph.
        var q = r.add(x.abs(), One).mul(r).reciprocal().mul(S(B / 2));
        var slope = q.neg().add(One, One).where(x.ge(Zero), q);
        return slope.mul(grad);
    }
}
