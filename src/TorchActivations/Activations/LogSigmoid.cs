using TorchActivations.Core.Kernels;
using TorchActivations.Core;
using TorchSharp;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>LogSigmoid(x) = ln(1 / (1 + e^(−x))); LogSigmoid'(x) = 1 / (1 + eˣ).</summary>
    [Activation("logsigmoid", "LogSigmoid")]
    internal sealed partial class LogSigmoidDefinition : ElementwiseDefinition
    {
        public override string Name => "logsigmoid";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.logsigmoid(x[0]);

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            save?.Add(x);
            if (KernelRunner.Forward(x, new LogSigmoidForward()) is { } fast) return fast;
            // ln σ(x) = min(x, 0) − ln(1 + e^(−|x|)): no overflow, no log of 0.
            return x.clamp_max(Zero).sub_(x.abs().neg_().exp_().log1p_());
        }

        // 1 / (1 + eˣ) = σ(−x); eˣ may overflow to +inf, giving exactly 0.
        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved) =>
            KernelRunner.Backward(saved[0], grad, new LogSigmoidBackward())
            ?? (torch.is_grad_enabled() ? grad / saved[0].exp().add(One, One) : grad / saved[0].exp().add_(One, One));
    }
}
