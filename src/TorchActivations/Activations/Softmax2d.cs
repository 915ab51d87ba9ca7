using TorchSharp;
using TorchActivations.Core;
using TorchActivations.Modules;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>
    /// Softmax over the channels (dim −3) of a (C, H, W) or (N, C, H, W) input: the softmax definition,
    /// reused as is, behind a check of the input's rank.
    /// </summary>
    internal sealed class Softmax2dDefinition : ElementwiseDefinition
    {
        public static readonly Softmax2dDefinition Instance = new();

        readonly SoftmaxDefinition softmax = new(SoftmaxDefinition.Kind.Softmax, -3);

        public override string Name => "softmax2d";
        public override Func<Tensor[], Tensor> Builtin => x => torch.softmax(x[0], -3);

        public override void CheckInputs(ReadOnlySpan<Tensor> inputs)
        {
            var x = inputs[0];
            if (x.dim() is not (3 or 4))
                throw new ArgumentException(
                    $"softmax2d expects a 3-D (C, H, W) or 4-D (N, C, H, W) input, not a {x.dim()}-D one of shape [{string.Join(", ", x.shape)}]. " +
                    "For other shapes use softmax with an explicit dim.", "input");
            softmax.CheckInputs(inputs);
        }

        public override Tensor Forward(Tensor x, List<Tensor>? save) => softmax.Forward(x, save);

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved) => softmax.Backward(grad, saved);
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.softmax2d"/>
    public sealed class Softmax2d : ActivationModule
    {
        internal Softmax2d() : base(nameof(Softmax2d), Softmax2dDefinition.Instance) { }
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.softmax2d"/>
        public static Softmax2d Softmax2d() => new();
    }

    public static partial class Functional
    {
        /// <summary>
        /// Softmax over the channels at every spatial location: <see cref="softmax"/> along dim −3 of a
        /// (C, H, W) or (N, C, H, W) input, y_c = e^(x_c) / Σ_k e^(x_k) over the channels c.
        /// ∂L/∂x = y ⊙ (g − Σ_c g ⊙ y). Inputs of any other rank are rejected.
        /// </summary>
        /// <param name="input">A 3-D (C, H, W) or 4-D (N, C, H, W) floating-point tensor.</param>
        /// <example><code>var perPixelClass = Functional.softmax2d(segmentationLogits);   // [N, classes, H, W], sums to 1 over classes</code></example>
        public static Tensor softmax2d(Tensor input) => Softmax2dDefinition.Instance.Apply(input);
    }
}
