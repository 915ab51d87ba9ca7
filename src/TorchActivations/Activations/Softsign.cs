using TorchActivations.Core;
using TorchSharp;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>Softsign(x) = x / (1 + |x|); Softsign'(x) = 1 / (x² + 2|x| + 1).</summary>
    [Activation("softsign", "Softsign", Inplace = true)]
    internal sealed partial class SoftsignDefinition : ElementwiseDefinition
    {
        public override string Name => "softsign";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.softsign(x[0]);

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            save?.Add(x);
            return x / x.abs().add_(One, One);
        }

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            // 1 / (x² + 2|x| + 1) = 1 / (1 + |x|)²
            if (!torch.is_grad_enabled()) {
                var d = saved[0].abs().add_(One, One);
                return grad / d.mul_(d);
            }
            var denominator = saved[0].abs().add(One, One);
            return grad / (denominator * denominator);
        }
    }
}
