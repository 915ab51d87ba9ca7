using TorchActivations.Core;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>
    /// Soft shrinkage. Softshrink(x) = x − λ for x ≥ λ, x + λ for x ≤ −λ, 0 otherwise.
    /// Softshrink'(x) = 1 for |x| ≥ λ (so 1 at the kinks ±λ), 0 otherwise. Keeps a 1-byte mask for backward.
    /// </summary>
    /// <param name="lambda">λ ≥ 0. Default 0.5.</param>
    [Activation("softshrink", "Softshrink")]
    internal sealed partial class SoftshrinkDefinition(double lambda = 0.5) : ElementwiseDefinition
    {
        public override bool PiecewiseConstantDerivative => true;

        public double Lambda { get; } = Guard.NonNegative(lambda, nameof(lambda));
        public override string Name => "softshrink";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.softshrink(x[0], Lambda);

        // x − clamp(x, −λ, λ) is x − λ above λ, x + λ below −λ and 0 between.
        PiecewiseLinear Rule => new(PiecewiseKind.Softshrink, Lambda);

        public override Tensor Forward(Tensor x, List<Tensor>? save) => Rule.Forward(x, save);

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved) => Rule.Backward(grad, saved[0]);
    }
}
