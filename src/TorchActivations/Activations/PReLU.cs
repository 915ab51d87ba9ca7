using TorchActivations.Core;
using TorchActivations.Core.Kernels;
using TorchSharp;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>
    /// Parametric ReLU. PReLU(x) = x for x ≥ 0, a·x for x &lt; 0, where the slopes a are learnable,
    /// one shared or one per channel (dim 1 of the input).
    /// dPReLU/dx = 1 for x ≥ 0 (including 0), a for x &lt; 0; dPReLU/da = x for x &lt; 0, 0 for x ≥ 0.
    /// </summary>
    /// <learnable name="weight">The slopes: 1 element, or as many as the input has channels; same dtype and device as the input.</learnable>
    [Activation("prelu", "PReLU", PerChannel = "weight", Init = 0.25)]
    internal sealed partial class PReLUDefinition : ActivationDefinition
    {
        // Inputs: x and the weight a (1 or C elements, C = size of dim 1). Saves both.

        public override bool PiecewiseConstantDerivative => true;

        public override string Name => "prelu";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.prelu(x[0], x[1]);

        public override void CheckInputs(ReadOnlySpan<Tensor> inputs) => PerChannelParameter.Check(inputs[0], inputs[1], "weight");

        public override Tensor Forward(ReadOnlySpan<Tensor> inputs, List<Tensor>? save)
        {
            var (x, weight) = (inputs[0], inputs[1]);
            save?.AddRange([x, weight]);
            return PerChannelKernels.Forward<PReLUForward>(x, weight)
                   ?? FastPath.Where(x, 1, 0, orEqual: true, x, x * Ops.AlongChannels(weight, x.dim()));
        }

        public override Tensor?[] BackwardAll(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var (x, weight) = (saved[0], saved[1]);
            var nonNegative = x.ge(Zero);
            var gradInput = grad.where(nonNegative, grad * Ops.AlongChannels(weight, x.dim()));
            // dPReLU/da = x for x < 0, 0 for x ≥ 0; summed over everything but the channel dim.
            var perElement = (grad * x).masked_fill(nonNegative, Zero);
            return [gradInput, PerChannelParameter.Gradient(perElement, weight)];
        }

        // One sweep writes the input gradient and sums the slope gradient, with the same products as above (the
        // slope gradient's sum runs in another order than torch's, so it may differ in the last bits); where the
        // kernels do not apply, fused selects instead of torch's (slow) bool-mask kernels, same values.
        public override Tensor?[] UnrecordedBackwardAll(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var (x, weight) = (saved[0], saved[1]);
            if (PerChannelKernels.Backward<PReLUBackward>(x, weight, grad) is var (input, slope)) return [input, slope];
            var gradInput = FastPath.Where(x, 1, 0, orEqual: true, grad, grad * Ops.AlongChannels(weight, x.dim()));
            var perElement = FastPath.Where(x, 1, 0, orEqual: true, torch.zeros_like(grad), grad * x);
            return [gradInput, PerChannelParameter.Gradient(perElement, weight)];
        }
    }
}
