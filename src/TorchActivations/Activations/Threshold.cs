using TorchActivations.Core;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>
    /// PyTorch's Threshold (not the step function the notes call Threshold; that is <see cref="Functional.heaviside"/>).
    /// Threshold(x) = x for x &gt; threshold, value otherwise; derivative 1 for x &gt; threshold, 0 otherwise.
    /// Keeps a 1-byte mask for backward.
    /// </summary>
    /// <param name="threshold">Inputs at or below it are replaced; not NaN.</param>
    /// <param name="value">The replacement; not NaN.</param>
    [Activation("threshold", "Threshold", Inplace = true)]
    internal sealed partial class ThresholdDefinition(double threshold, double value) : ElementwiseDefinition
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
