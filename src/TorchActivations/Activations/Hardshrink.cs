using TorchActivations.Core;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>
    /// Hard shrinkage, as the notes define it. Hardshrink(x) = x for |x| ≥ λ, 0 otherwise
    /// (PyTorch gives 0 at exactly ±λ). Hardshrink'(x) = 1 for |x| &gt; λ, 0 otherwise (so 0 at ±λ).
    /// Discontinuous at ±λ: the notes advise against it in backpropagation. Keeps a 1-byte mask for backward.
    /// </summary>
    /// <param name="lambda">λ ≥ 0. Default 0.5.</param>
    [Activation("hardshrink", "Hardshrink")]
    internal sealed partial class HardshrinkDefinition(double lambda = 0.5) : ElementwiseDefinition
    {
        public override bool PiecewiseConstantDerivative => true;

        public double Lambda { get; } = Guard.NonNegative(lambda, nameof(lambda));
        public override string Name => "hardshrink";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.hardshrink(x[0], Lambda);

        // Output x for |x| ≥ λ; slope 1 only for |x| > λ.
        PiecewiseLinear Rule => new(PiecewiseKind.Hardshrink, Lambda);

        public override Tensor Forward(Tensor x, List<Tensor>? save) => Rule.Forward(x, save);

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved) => Rule.Backward(grad, saved[0]);
    }
}
