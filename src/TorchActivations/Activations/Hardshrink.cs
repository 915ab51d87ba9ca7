using TorchActivations.Core;
using TorchActivations.Modules;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    internal sealed class HardshrinkDefinition(double lambda) : ElementwiseDefinition
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

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.hardshrink"/>
    public sealed class Hardshrink : ActivationModule
    {
        internal Hardshrink(double lambda) : base(nameof(Hardshrink), new HardshrinkDefinition(lambda)) { }

        /// <summary>λ, the half-width of the band mapped to 0.</summary>
        public double lambda => ((HardshrinkDefinition)Definition).Lambda;
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.hardshrink"/>
        public static Hardshrink Hardshrink(double lambda = 0.5) => new(lambda);
    }

    public static partial class Functional
    {
        /// <summary>
        /// Hard shrinkage, as the notes define it. Hardshrink(x) = x for |x| ≥ λ, 0 otherwise
        /// (PyTorch gives 0 at exactly ±λ). Hardshrink'(x) = 1 for |x| &gt; λ, 0 otherwise (so 0 at ±λ).
        /// Discontinuous at ±λ: the notes advise against it in backpropagation. Keeps a 1-byte mask for backward.
        /// </summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="lambda">λ ≥ 0. Default 0.5.</param>
        public static Tensor hardshrink(Tensor input, double lambda = 0.5) => new HardshrinkDefinition(lambda).Apply(input);
    }
}
