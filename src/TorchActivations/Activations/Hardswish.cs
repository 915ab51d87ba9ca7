using TorchActivations.Core.Kernels;
using TorchActivations.Core;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>
    /// Hard swish (MobileNetV3), PyTorch's definition: Hardswish(x) = x·relu6(x + 3) / 6, i.e. 0 for x ≤ −3,
    /// x·(x + 3) / 6 for −3 &lt; x &lt; 3, x for x ≥ 3.
    /// Hardswish'(x) = 0 for x ≤ −3, x/3 + 1/2 for −3 &lt; x &lt; 3, 1 for x ≥ 3: at the kinks 0 at x = −3 and
    /// 1 at x = 3 (the slopes outside the middle piece), as PyTorch's built-in gives.
    /// </summary>
    [Activation("hardswish", "Hardswish", Inplace = true)]
    internal sealed partial class HardswishDefinition : ElementwiseDefinition
    {
        // x·relu6(x + 3) / 6; saves x, whose slope x/3 + 1/2 between the kinks backward needs.

        public override string Name => "hardswish";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.hardswish(x[0]);

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            save?.Add(x);
            if (KernelRunner.Forward(x, new HardswishForward()) is { } fast) return fast;
            // The gate relu6(x + 3) / 6 is in [0, 1], so x·gate cannot overflow (x·6 / 6 would for |x| > max/6).
            return x.add(S(3), One).clamp_(Zero, S(6)).div_(S(6)).mul_(x);
        }

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var x = saved[0];
            if (KernelRunner.Backward(x, grad, new HardswishBackward()) is { } fast) return fast;
            var slope = x.div(S(3)).add_(S(0.5), One).masked_fill_(x.le(S(-3)), Zero).masked_fill_(x.ge(S(3)), One);
            return slope.mul_(grad);
        }
    }
}
