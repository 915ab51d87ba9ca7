using TorchActivations.Core;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>
    /// Leaky ReLU. LeakyReLU(x) = x for x ≥ 0, a·x for x &lt; 0, with a fixed slope a.
    /// LeakyReLU'(x) = 1 for x ≥ 0 (including 0), a for x &lt; 0. Keeps a 1-byte mask for backward.
    /// </summary>
    /// <param name="negative_slope">The slope a for x &lt; 0; any finite number. Default 0.01.</param>
    [Activation("leaky_relu", "LeakyReLU", Inplace = true)]
    internal sealed partial class LeakyReLUDefinition(double negative_slope = 0.01) : ElementwiseDefinition
    {
        public override bool PiecewiseConstantDerivative => true;

        public double NegativeSlope { get; } = Guard.Finite(negative_slope, nameof(negative_slope));
        public override string Name => "leaky_relu";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.leaky_relu(x[0], NegativeSlope);

        PiecewiseLinear Rule => new(PiecewiseKind.LeakyRelu, NegativeSlope);

        // Keeps a 1-byte mask (slope 1 or negative_slope) for backward.
        public override Tensor Forward(Tensor x, List<Tensor>? save) => Rule.Forward(x, save);

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved) => Rule.Backward(grad, saved[0]);
    }
}
