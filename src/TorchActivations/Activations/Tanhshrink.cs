using TorchActivations.Core.Kernels;
using TorchActivations.Core;
using TorchActivations.Modules;
using TorchSharp;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>
    /// Saves the input: the derivative is tanh²x. (Saving tanh x itself, computed in forward where nothing is
    /// recorded, would cut it off from x and make second derivatives through create_graph come out 0.)
    /// </summary>
    internal sealed class TanhshrinkDefinition : ElementwiseDefinition
    {
        public static readonly TanhshrinkDefinition Instance = new();
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

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.tanhshrink"/>
    public sealed class Tanhshrink : ActivationModule
    {
        internal Tanhshrink(bool inplace) : base(nameof(Tanhshrink), TanhshrinkDefinition.Instance, inplace) { }
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.tanhshrink"/>
        public static Tanhshrink Tanhshrink(bool inplace = false) => new(inplace);
    }

    public static partial class Functional
    {
        /// <summary>Tanhshrink(x) = x − tanh(x); Tanhshrink'(x) = tanh²(x).</summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="inplace">Write the result into the input; only where autograd does not record.</param>
        public static Tensor tanhshrink(Tensor input, bool inplace = false) => TanhshrinkDefinition.Instance.Apply(input, inplace);
    }
}
