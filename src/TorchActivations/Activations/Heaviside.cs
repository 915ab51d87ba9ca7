using TorchActivations.Core;
using TorchSharp;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>
    /// The step function the notes call Threshold ("AKA Heaviside"): 1 for x ≥ threshold, 0 for x &lt; threshold.
    /// Its gradient is 0 everywhere, so nothing trains through it, as the notes warn.
    /// </summary>
    /// <param name="threshold">Where the step is; not NaN. Default 0.</param>
    [Activation("heaviside", "Heaviside")]
    internal sealed partial class HeavisideDefinition(double threshold = 0) : ElementwiseDefinition
    {
        // The step function; its derivative is 0 everywhere (taken as 0 at the jump), so nothing is saved.

        public override bool PiecewiseConstantDerivative => true;

        public double Threshold { get; } = Guard.NotNaN(threshold, nameof(threshold));
        public override string Name => "heaviside";
        // torch.heaviside has no derivative, so (x ≥ threshold) as a float stands in: like the package, it passes no gradient.
        public override Func<Tensor[], Tensor> Builtin => x => x[0].ge(Threshold).to_type(x[0].dtype);

        public override Tensor Forward(Tensor x, List<Tensor>? save) => 
            // Through uint8: torch's bool-to-float cast is several times slower than bool → uint8 → float.
            x.ge(S(Threshold)).to_type(ScalarType.Byte).to_type(x.dtype);

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved) => torch.zeros_like(grad);
    }
}
