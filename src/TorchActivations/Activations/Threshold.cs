using TorchActivations.Core;
using TorchActivations.Modules;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    internal sealed class ThresholdDefinition(double threshold, double value) : ElementwiseDefinition
    {
        public override bool PiecewiseConstantDerivative => true;

        public double Threshold { get; } = Guard.NotNaN(threshold, nameof(threshold));
        public double Value { get; } = Guard.NotNaN(value, nameof(value));
        public override string Name => "threshold";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.threshold(x[0], Threshold, Value);

        // "x ≤ threshold" rather than "not x > threshold", so a NaN input stays NaN as in PyTorch.
        PiecewiseLinear Rule => new(PiecewiseKind.Threshold, Threshold, Value);

        public override Tensor Forward(Tensor x, List<Tensor>? save) => Rule.Forward(x, save);

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved) => Rule.Backward(grad, saved[0]);
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.threshold"/>
    public sealed class Threshold : ActivationModule
    {
        internal Threshold(double threshold, double value, bool inplace)
            : base(nameof(Threshold), new ThresholdDefinition(threshold, value), inplace) { }

        /// <summary>Inputs at or below it are replaced.</summary>
        public double threshold => ((ThresholdDefinition)Definition).Threshold;

        /// <summary>What replaces them.</summary>
        public double value => ((ThresholdDefinition)Definition).Value;
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.threshold"/>
        public static Threshold Threshold(double threshold, double value, bool inplace = false) => new(threshold, value, inplace);
    }

    public static partial class Functional
    {
        /// <summary>
        /// PyTorch's Threshold (not the step function the notes call Threshold; that is <see cref="heaviside"/>).
        /// Threshold(x) = x for x &gt; threshold, value otherwise; derivative 1 for x &gt; threshold, 0 otherwise.
        /// Keeps a 1-byte mask for backward.
        /// </summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="threshold">Inputs at or below it are replaced; not NaN.</param>
        /// <param name="value">The replacement; not NaN.</param>
        /// <param name="inplace">Write the result into the input; only where autograd does not record.</param>
        public static Tensor threshold(Tensor input, double threshold, double value, bool inplace = false) =>
            new ThresholdDefinition(threshold, value).Apply(input, inplace);
    }
}
