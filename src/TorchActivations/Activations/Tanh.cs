using TorchActivations.Core;
using TorchSharp;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>Hyperbolic tangent. tanh(x) = (eˣ − e^(−x)) / (eˣ + e^(−x)); tanh'(x) = 1 − tanh²(x). Saturates at ±1.</summary>
    [Activation("tanh", "Tanh")]
    internal sealed partial class TanhDefinition : ElementwiseDefinition
    {
        // Saves the output y: tanh' = 1 − y².

        public override string Name => "tanh";
        public override Func<Tensor[], Tensor> Builtin => x => torch.tanh(x[0]);

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            // torch's tanh kernel: one pass, within an ulp or two of the exact value (the tests hold it to
            // 1e-12 in float64 and to the rounded value at ±1000).
            // On contiguous memory: torch's vectorized and strided loops can differ in the last bit.
            var y = x.contiguous().tanh();
            save?.Add(y);
            return y;
        }

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var y = saved[0];
            // Not recorded: 1 − y² in place on one temporary (−y² + 1 rounds as 1 − y² does).
            if (!torch.is_grad_enabled())
                return FastPath.TrySavedSlope(FastPath.SavedSlope.Tanh, grad, y) ?? (y * y).neg_().add_(One, One).mul_(grad);
            return grad * (y * y).neg().add(One, One);
        }
    }
}
