using TorchActivations.Core.Kernels;
using TorchActivations.Core;
using TorchSharp;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>Tanhshrink(x) = x − tanh(x); Tanhshrink'(x) = tanh²(x).</summary>
    [Activation("tanhshrink", "Tanhshrink", Inplace = true)]
    internal sealed partial class TanhshrinkDefinition : ElementwiseDefinition
    {
        // Saves the input: the derivative is tanh²x. (Saving tanh x itself, computed in forward where nothing is recorded, would cut it off from x and make second derivatives through create_graph come out 0.)

        public override string Name => "tanhshrink";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.tanhshrink(x[0]);

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            save?.Add(x);
            if (KernelRunner.Forward(x, new TanhshrinkForward()) is { } fast) return fast;
            // x − tanh x, the subtraction in place on the fresh tanh: −t + x rounds as x − t does.
            return x.tanh().neg_().add_(x, One);
        }

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            if (KernelRunner.Backward(saved[0], grad, new TanhshrinkBackward()) is { } fast) return fast;
            if (!torch.is_grad_enabled()) {
                var t = saved[0].tanh();
                return FastPath.TrySavedSlope(FastPath.SavedSlope.TanhSquared, grad, t) ?? t.mul_(t).mul_(grad);
            }
            var th = saved[0].tanh();
            return grad * (th * th);
        }
    }
}
