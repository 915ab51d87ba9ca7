using TorchActivations.Core;
using TorchActivations.Modules;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    internal sealed class SoftshrinkDefinition(double lambda) : ElementwiseDefinition
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

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.softshrink"/>
    public sealed class Softshrink : ActivationModule
    {
        internal Softshrink(double lambda) : base(nameof(Softshrink), new SoftshrinkDefinition(lambda)) { }

        /// <summary>λ, the half-width of the band mapped to 0.</summary>
        public double lambda => ((SoftshrinkDefinition)Definition).Lambda;
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.softshrink"/>
        public static Softshrink Softshrink(double lambda = 0.5) => new(lambda);
    }

    public static partial class Functional
    {
        /// <summary>
        /// Soft shrinkage. Softshrink(x) = x − λ for x ≥ λ, x + λ for x ≤ −λ, 0 otherwise.
        /// Softshrink'(x) = 1 for |x| ≥ λ (so 1 at the kinks ±λ), 0 otherwise. Keeps a 1-byte mask for backward.
        /// </summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="lambda">λ ≥ 0. Default 0.5.</param>
        public static Tensor softshrink(Tensor input, double lambda = 0.5) => new SoftshrinkDefinition(lambda).Apply(input);
    }
}
