using TorchActivations.Core;
using TorchActivations.Core.Kernels;
using TorchActivations.Modules;
using TorchSharp;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>
    /// Training: each element gets a slope a ~ U(lower, upper) for x &lt; 0 (1 for x ≥ 0); saves those slopes.
    /// Evaluation is <see cref="LeakyReLUDefinition"/> with the mean slope (lower + upper) / 2.
    /// </summary>
    internal sealed class RReLUDefinition : UnaryDefinition
    {
        public override bool PiecewiseConstantDerivative => true;

        readonly Generator? generator;

        public RReLUDefinition(double lower, double upper, Generator? generator)
        {
            Check(lower, upper);
            Lower = lower;
            Upper = upper;
            this.generator = generator;
        }

        public double Lower { get; }
        public double Upper { get; }
        public override string Name => "rrelu";
        // TorchSharp's rrelu, whatever it does in training mode: the comparison is with what a built-in user gets.
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.rrelu(x[0], Lower, Upper);

        /// <summary>What RReLU applies: random slopes in training, the mean slope as a leaky ReLU in evaluation.</summary>
        public static ActivationDefinition For(double lower, double upper, bool training, Generator? generator)
        {
            Check(lower, upper);
            return training ? new RReLUDefinition(lower, upper, generator) : new LeakyReLUDefinition((lower + upper) / 2);
        }

        public static void Check(double lower, double upper)
        {
            if (!(lower >= 0 && lower < 1))
                throw new ArgumentOutOfRangeException(nameof(lower), lower, $"lower must satisfy 0 <= lower < upper < 1 (upper is {Guard.Format(upper)}).");
            if (!(upper > lower && upper < 1))
                throw new ArgumentOutOfRangeException(nameof(upper), upper, $"upper must satisfy 0 <= lower < upper < 1 (lower is {Guard.Format(lower)}).");
        }

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            var sample = torch.empty_like(x).uniform_(Lower, Upper, generator);
            // One pass for the select (the same values as masked_fill_ on x ≥ 0, whose bool mask is slow).
            var slope = KernelRunner.Backward(x, sample, new RReLUSlope()) ?? sample.masked_fill_(x.ge(Zero), One);
            save?.Add(slope);
            return x * slope;
        }

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved) => grad * saved[0];
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.rrelu"/>
    public sealed class RReLU : torch.nn.Module<Tensor, Tensor>, IDeclaredActivation
    {
        ActivationDefinition IDeclaredActivation.DefinitionFor(bool training) => RReLUDefinition.For(lower, upper, training, generator);

        internal RReLU(double lower, double upper, bool inplace, Generator? generator) : base(nameof(RReLU))
        {
            RReLUDefinition.Check(lower, upper);
            this.lower = lower;
            this.upper = upper;
            this.inplace = inplace;
            this.generator = generator;
        }

        /// <summary>Lower bound of the sampled slopes.</summary>
        public double lower { get; }

        /// <summary>Upper bound of the sampled slopes.</summary>
        public double upper { get; }

        /// <summary>Write the result into the input; only where autograd does not record.</summary>
        public bool inplace { get; set; }

        /// <summary>The random generator the slopes are drawn from; null for torch's default generator.</summary>
        public Generator? generator { get; set; }

        /// <summary>Samples slopes in training mode, uses (lower + upper) / 2 in evaluation mode.</summary>
        public override Tensor forward(Tensor input) => Functional.rrelu(input, lower, upper, training, generator, inplace);
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.rrelu"/>
        /// <param name="lower">Lower bound of the slopes, 0 ≤ lower &lt; upper. Default 1/8.</param>
        /// <param name="upper">Upper bound of the slopes, upper &lt; 1. Default 1/3.</param>
        /// <param name="inplace">Write the result into the input; only where autograd does not record.</param>
        /// <param name="generator">The generator to draw slopes from, for reproducible training; default torch's.</param>
        /// <example>
        /// <code>
        /// var rrelu = Activations.RReLU(generator: new torch.Generator(42));
        /// rrelu.train();  var noisy = rrelu.call(x);   // fresh slopes per element and call
        /// rrelu.eval();   var mean  = rrelu.call(x);   // slope (1/8 + 1/3) / 2 for x &lt; 0
        /// </code>
        /// </example>
        public static RReLU RReLU(double lower = 1.0 / 8, double upper = 1.0 / 3, bool inplace = false, Generator? generator = null) =>
            new(lower, upper, inplace, generator);
    }

    public static partial class Functional
    {
        /// <summary>
        /// Randomized leaky ReLU. RReLU(x) = x for x ≥ 0, a·x for x &lt; 0. In training a is drawn for every
        /// element from U(lower, upper) and backward uses the same slopes; in evaluation a = (lower + upper) / 2.
        /// RReLU'(x) = 1 for x ≥ 0 (including 0), a for x &lt; 0.
        /// </summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="lower">Lower bound of the slopes, 0 ≤ lower &lt; upper. Default 1/8.</param>
        /// <param name="upper">Upper bound of the slopes, upper &lt; 1. Default 1/3.</param>
        /// <param name="training">Sample slopes (true) or use their mean (false, the default as in torch.nn.functional).</param>
        /// <param name="generator">The generator to draw slopes from; default torch's.</param>
        /// <param name="inplace">Write the result into the input; only where autograd does not record.</param>
        public static Tensor rrelu(Tensor input, double lower = 1.0 / 8, double upper = 1.0 / 3, bool training = false,
                                   Generator? generator = null, bool inplace = false)
            => RReLUDefinition.For(lower, upper, training, generator).Apply(input, inplace);
    }
}
