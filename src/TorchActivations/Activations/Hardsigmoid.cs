using TorchActivations.Core.Kernels;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core;

/// <summary>
/// Hard sigmoid, PyTorch's definition: Hardsigmoid(x) = relu6(x + 3) / 6, i.e. 0 for x ≤ −3,
/// x/6 + 1/2 for −3 &lt; x &lt; 3, 1 for x ≥ 3.
/// Hardsigmoid'(x) = 1/6 for −3 &lt; x &lt; 3, 0 otherwise: 0 at both kinks x = −3 and x = 3, as
/// PyTorch's built-in gives. Keeps its input for backward.
/// </summary>
[Activation("hardsigmoid", "Hardsigmoid", Inplace = true)]
internal sealed partial class HardsigmoidDefinition : UnaryDefinition
{
    public override bool PiecewiseConstantDerivative => true;
    public override string Name => "hardsigmoid";
    public override Func<Tensor[], Tensor> Builtin => x => nn.functional.hardsigmoid(x[0]);

    public override Tensor Forward(Tensor x, List<Tensor>? save)
    {
        save?.Add(x);
        return KernelRunner.Forward(x, new HardsigmoidForward()) ?? x.add(S(3), One).clamp_(Zero, S(6)).div_(S(6));
    }

    public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
    {
        var x = saved[0];
        return Ops.BlockWhere(x.le(S(-3)).logical_or_(x.ge(S(3))), grad.div(S(6)));
    }

    public override Tensor? UnrecordedBackward(Tensor grad, IReadOnlyList<Tensor> saved) =>
        KernelRunner.Backward(saved[0], grad, new HardsigmoidBackward());
}
