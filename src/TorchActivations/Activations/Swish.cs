using TorchActivations.Core;
using TorchActivations.Core.Kernels;
using TorchSharp;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>
    /// Swish with a learnable β (Ramachandran et al.). Swish(x) = x·σ(β·x), σ(z) = 1 / (1 + e^(−z)), with β
    /// one shared value or one per channel (dim 1 of the input). β = 1 gives SiLU; β → ∞ approaches ReLU.
    /// ∂Swish/∂x = σ(βx)·(1 + βx·(1 − σ(βx))); ∂Swish/∂β = x²·σ(βx)·(1 − σ(βx)).
    /// </summary>
    /// <learnable name="beta">β: 1 element, or as many as the input has channels; same dtype and device as the input.</learnable>
    [Activation("swish", "Swish", PerChannel = "beta")]
    internal sealed partial class SwishDefinition : ActivationDefinition
    {
        // Inputs: x and β (1 or C elements, C = size of dim 1). Saves both; σ(βx) is recomputed in backward.

        public override string Name => "swish";
        // No built-in op with a learnable β: the formula in built-in ops, β along the channels.
        public override Func<Tensor[], Tensor> Builtin => x => x[0] * torch.sigmoid(x[0] * Ops.AlongChannels(x[1], x[0].dim()));

        public override void CheckInputs(ReadOnlySpan<Tensor> inputs) => PerChannelParameter.Check(inputs[0], inputs[1], "beta");

        public override Tensor Forward(ReadOnlySpan<Tensor> inputs, List<Tensor>? save)
        {
            var (x, beta) = (inputs[0], inputs[1]);
            save?.AddRange([x, beta]);
            // σ(βx) is exactly 0 or 1 where βx is huge (even ±∞ after overflow), so x·σ(βx) stays finite.
            return PerChannelKernels.Forward<SwishForward>(x, beta) ?? Ops.Logistic(x * Ops.AlongChannels(beta, x.dim())).mul_(x);
        }

        // One sweep writes the input gradient and sums β's, with the formulas below (the sum in another order).
        public override Tensor?[]? UnrecordedBackwardAll(Tensor grad, IReadOnlyList<Tensor> saved) =>
            PerChannelKernels.Backward<SwishBackward>(saved[0], saved[1], grad) is var (input, beta) ? [input, beta] : null;

        public override Tensor?[] BackwardAll(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var (x, beta) = (saved[0], saved[1]);
            // βx may overflow to ±∞ in a narrow dtype; the largest finite value gives the same σ and keeps z·(1 − σ) from being ∞·0.
            var z = (x * Ops.AlongChannels(beta, x.dim())).nan_to_num_(nan: double.NaN);
            var s = Ops.Logistic(z);
            var sigmoidSlope = s * s.neg().add(One, One);                                      // σ'(βx) = σ(1 − σ) ∈ [0, 1/4]

            // ∂y/∂x = σ(βx) + βx·σ'(βx) = σ·(1 + βx·(1 − σ))
            var gradInput = s.neg().add_(One, One).mul_(z).add_(One, One).mul_(s).mul_(grad);

            // ∂y/∂β = x²·σ'(βx), summed over everything but the channel dim. σ'·x first: it is at most |x|/4,
            // and 0 where |βx| is large, so the second factor x cannot meet an overflowed x².
            var perElement = sigmoidSlope.mul_(x).mul_(x).mul_(grad);
            return [gradInput, PerChannelParameter.Gradient(perElement, beta)];
        }
    }
}
