using TorchActivations.Core;
using TorchActivations.Modules;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    internal sealed class LeakyReLUDefinition(double negative_slope) : ElementwiseDefinition
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

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.leaky_relu"/>
    public sealed class LeakyReLU : ActivationModule
    {
        internal LeakyReLU(double negative_slope, bool inplace)
            : base(nameof(LeakyReLU), new LeakyReLUDefinition(negative_slope), inplace) { }

        /// <summary>The slope a for x &lt; 0.</summary>
        public double negative_slope => ((LeakyReLUDefinition)Definition).NegativeSlope;
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.leaky_relu"/>
        public static LeakyReLU LeakyReLU(double negative_slope = 0.01, bool inplace = false) => new(negative_slope, inplace);
    }

    public static partial class Functional
    {
        /// <summary>
        /// Leaky ReLU. LeakyReLU(x) = x for x ≥ 0, a·x for x &lt; 0, with a fixed slope a.
        /// LeakyReLU'(x) = 1 for x ≥ 0 (including 0), a for x &lt; 0. Keeps a 1-byte mask for backward.
        /// </summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="negative_slope">The slope a for x &lt; 0; any finite number. Default 0.01.</param>
        /// <param name="inplace">Write the result into the input; only where autograd does not record.</param>
        public static Tensor leaky_relu(Tensor input, double negative_slope = 0.01, bool inplace = false) =>
            new LeakyReLUDefinition(negative_slope).Apply(input, inplace);
    }
}
