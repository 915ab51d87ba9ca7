using TorchActivations.Core;
using TorchActivations.Modules;
using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>
    /// Inputs: x, the scale s and the bias b (one element each). Saves x and both parameters (which autograd keeps
    /// anyway); ReLU(x) is recomputed in backward.
    /// </summary>
    internal sealed class StarReLUDefinition : ActivationDefinition
    {
        public static readonly StarReLUDefinition Instance = new();
        public override string Name => "star_relu";
        // No built-in op: the formula in built-in ops.
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.relu(x[0]).square() * x[1] + x[2];

        static readonly Scalar Two = Scalars.S(2);

        public override void CheckInputs(ReadOnlySpan<Tensor> inputs)
        {
            CheckScalarParameter(inputs[0], inputs[1], "scale");
            CheckScalarParameter(inputs[0], inputs[2], "bias");
        }

        static void CheckScalarParameter(Tensor input, Tensor parameter, string name)
        {
            Guard.FloatingPoint(parameter, name);
            if (parameter.numel() != 1)
                throw new ArgumentException(
                    $"{name} must have exactly one element (it is shared by every element of the input), not shape [{string.Join(", ", parameter.shape)}].", name);
            PerChannelParameter.Check(input, parameter, name);
        }

        public override Tensor Forward(ReadOnlySpan<Tensor> inputs, List<Tensor>? save)
        {
            var (x, scale, bias) = (inputs[0], inputs[1], inputs[2]);
            save?.AddRange([x, scale, bias]);
            var r = x.clamp_min(Scalars.Zero);
            // (r·s)·r rather than s·r²: r² overflows float32 above 1.8e19 where s·r² may still be finite.
            return r.mul(Scalar0D(scale)).mul_(r).add_(Scalar0D(bias), Scalars.One);
        }

        public override Tensor?[] BackwardAll(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var (x, scale, bias) = (saved[0], saved[1], saved[2]);
            var r = x.clamp_min(Scalars.Zero);
            // ∂/∂x = 2·s·ReLU(x) (0 at 0 from both sides); ∂/∂s = ReLU(x)²; ∂/∂b = 1. Out of place, so that the
            // results stay differentiable under create_graph. A frozen parameter's sum is not computed at all.
            var gradInput = r.mul(Scalar0D(scale)).mul(Two).mul(grad);
            var gradScale = scale.requires_grad ? r.mul(grad).mul(r).sum().reshape(scale.shape) : null;
            var gradBias = bias.requires_grad ? grad.sum().reshape(bias.shape) : null;
            return [gradInput, gradScale, gradBias];
        }

        static Tensor Scalar0D(Tensor parameter) => parameter.reshape(Array.Empty<long>());
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.star_relu"/>
    public sealed class StarReLU : torch.nn.Module<Tensor, Tensor>, IDeclaredActivation
    {
        ActivationDefinition IDeclaredActivation.DefinitionFor(bool training) => StarReLUDefinition.Instance;

        internal StarReLU(double scale_value, double bias_value, bool scale_learnable, bool bias_learnable, Device? device, ScalarType? dtype)
            : base(nameof(StarReLU))
        {
            Guard.Finite(scale_value, nameof(scale_value));
            Guard.Finite(bias_value, nameof(bias_value));
            scale = Create(scale_value, scale_learnable, device, dtype);
            bias = Create(bias_value, bias_learnable, device, dtype);
        }

        static TorchSharp.Modules.Parameter Create(double value, bool learnable, Device? device, ScalarType? dtype)
        {
            var parameter = PerChannelParameter.Create(1, value, device, dtype);
            parameter.requires_grad = learnable;
            return parameter;
        }

        /// <summary>The scale s, shape [1]; registered as the parameter <c>scale</c>. Frozen (no gradient) when requires_grad is false.</summary>
        public TorchSharp.Modules.Parameter scale {
            get => _scale!;
            set {
                ArgumentNullException.ThrowIfNull(value, nameof(scale));
                if (value.Handle == _scale?.Handle) return;
                _scale?.Dispose();
                _scale = (TorchSharp.Modules.Parameter)value.DetachFromDisposeScope();
                ConditionallyRegisterParameter(nameof(scale), _scale);
            }
        }

        /// <summary>The bias b, shape [1]; registered as the parameter <c>bias</c>. Frozen (no gradient) when requires_grad is false.</summary>
        public TorchSharp.Modules.Parameter bias {
            get => _bias!;
            set {
                ArgumentNullException.ThrowIfNull(value, nameof(bias));
                if (value.Handle == _bias?.Handle) return;
                _bias?.Dispose();
                _bias = (TorchSharp.Modules.Parameter)value.DetachFromDisposeScope();
                ConditionallyRegisterParameter(nameof(bias), _bias);
            }
        }

        /// <summary>Applies StarReLU with this module's scale and bias.</summary>
        public override Tensor forward(Tensor input) => Functional.star_relu(input, scale, bias);

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            if (disposing) {
                _scale?.Dispose();
                _bias?.Dispose();
            }
            base.Dispose(disposing);
        }

        [ComponentName(Name = nameof(scale))]
        TorchSharp.Modules.Parameter? _scale;

        [ComponentName(Name = nameof(bias))]
        TorchSharp.Modules.Parameter? _bias;
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.star_relu"/>
        /// <param name="scale_value">The initial scale s. Default 0.8944 (≈ 1/√1.25), which with the default bias gives
        /// StarReLU unit variance and zero mean for a standard normal input.</param>
        /// <param name="bias_value">The initial bias b. Default −0.4472 (≈ −0.5/√1.25).</param>
        /// <param name="scale_learnable">Whether s receives a gradient (requires_grad). Default true.</param>
        /// <param name="bias_learnable">Whether b receives a gradient (requires_grad). Default true.</param>
        /// <param name="device">Where to create s and b.</param>
        /// <param name="dtype">Their floating-point type; default the default dtype.</param>
        /// <remarks>
        /// The parameter names are those of MetaFormer's StarReLU (scale_value, bias_value, scale_learnable,
        /// bias_learnable), and its parameters are called scale and bias there too, so ported code and state dicts
        /// map one to one. A frozen parameter stays a registered parameter (it is in the state dict) with
        /// requires_grad false, as in MetaFormer.
        /// </remarks>
        /// <example>
        /// <code>
        /// var act = Activations.StarReLU(scale_learnable: false);   // learn only the bias
        /// </code>
        /// </example>
        public static StarReLU StarReLU(double scale_value = 0.8944, double bias_value = -0.4472,
                                        bool scale_learnable = true, bool bias_learnable = true,
                                        Device? device = null, ScalarType? dtype = null) =>
            new(scale_value, bias_value, scale_learnable, bias_learnable, device, dtype);
    }

    public static partial class Functional
    {
        /// <summary>
        /// StarReLU, the activation of MetaFormer (Yu et al., 2022): StarReLU(x) = s·ReLU(x)² + b with a learnable
        /// scalar scale s and bias b. ∂/∂x = 2·s·ReLU(x), 0 at 0 from both sides; ∂/∂s = ReLU(x)²; ∂/∂b = 1.
        /// Keeps only the input and the two parameters for backward, and skips the sum for a parameter that does
        /// not require grad.
        /// </summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="scale">s: one element; same dtype and device as the input.</param>
        /// <param name="bias">b: one element; same dtype and device as the input.</param>
        public static Tensor star_relu(Tensor input, Tensor scale, Tensor bias)
        {
            ArgumentNullException.ThrowIfNull(scale, nameof(scale));
            ArgumentNullException.ThrowIfNull(bias, nameof(bias));
            return StarReLUDefinition.Instance.Apply([input, scale, bias]);
        }
    }
}
