using TorchSharp;
using static TorchSharp.torch;
using F = TorchActivations.Functional;
using B = TorchSharp.torch.nn.functional;
using Approximate = TorchSharp.Modules.GELU.Approximate;

namespace TorchActivations.Tests.Reliability;

/// <summary>
/// Property-based cross-check: random shapes (0-d and empty included), float32/float64, random valid
/// parameters and values mixed with NaN, ±Inf, ±0, subnormals, huge magnitudes and the parameters' own
/// points. For every case the package's forward equals TorchSharp's built-in (NaN exactly where it gives
/// NaN), and forward plus backward run without any exception or crash.
/// Generated from a fixed seed per activation (seeded System.Random, no shrinking); a failure message
/// carries the seed, case number, parameters, dtype, shape and the offending input so it can be replayed.
/// Documented differences that are skipped: Hardshrink at exactly ±lambda (the package follows the notes
/// and returns x there); TorchSharp's hardtanh is the identity (clamp is the reference instead).
/// </summary>
public class PropertyTests
{
    /// <summary>120 cases per activation by default; TORCHACTIVATIONS_PROPERTY_CASES and TORCHACTIVATIONS_PROPERTY_SEED explore more.</summary>
    static readonly int CasesPerActivation = EnvInt("TORCHACTIVATIONS_PROPERTY_CASES", 120);
    static readonly int SeedOffset = EnvInt("TORCHACTIVATIONS_PROPERTY_SEED", 0);

    static int EnvInt(string name, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(name), out var v) ? v : fallback;

    /// <summary>One generated case: a description and the two implementations with the same parameters.</summary>
    public sealed record Instance(string Description, Func<Tensor, Tensor> Ours, Func<Tensor, Tensor> Builtin, double[] Points)
    {
        /// <summary>Whether a documented difference applies at (input, package's value, built-in's value, dtype).</summary>
        public Func<double, double, double, ScalarType, bool> Exempt { get; init; } = (_, _, _, _) => false;
    }

    public sealed record Property(string Name, Func<Random, Instance> Make, bool AlongDim = false)
    {
        public override string ToString() => Name;
    }

    static double Uniform(Random r, double lo, double hi) => lo + (hi - lo) * r.NextDouble();

    static Tensor Full(Tensor x, double v) => torch.full(1, v, dtype: x.dtype);

    /// <summary>
    /// TorchSharp's float32 exact gelu gives +inf for finite x near float.MaxValue and NaN for +inf
    /// (GeluBuiltinOverflowTests), where gelu(x) = x; the package returns x there. Exempt only that case.
    /// </summary>
    static bool BuiltinGeluOverflow(double x, double ours, double builtin, ScalarType dtype) =>
        dtype == ScalarType.Float32 && x > 1e38 && (double.IsInfinity(builtin) || double.IsNaN(builtin)) && ours == x;

    static readonly Property[] Properties = [
        new("relu", _ => new("relu", x => F.relu(x), x => B.relu(x), [0])),
        new("leaky_relu", r => { double s = Uniform(r, -2, 2); return new($"leaky_relu({s:R})", x => F.leaky_relu(x, s), x => B.leaky_relu(x, s), [0]); }),
        new("prelu", r => {
            double s = Uniform(r, -1, 1);
            bool perChannel = r.Next(2) == 0;
            var weightSeed = (ulong)r.Next();
            Tensor Weight(Tensor x)
            {
                long c = x.dim() >= 2 ? x.shape[1] : 1;
                return perChannel && c > 0
                    ? torch.rand(c, dtype: x.dtype, generator: new Generator(weightSeed)) * 2 - 1
                    : Full(x, s);
            }
            return new($"prelu({(perChannel ? "per channel" : s.ToString("R"))})", x => F.prelu(x, Weight(x)), x => B.prelu(x, Weight(x)), [0]);
        }),
        new("rrelu (evaluation)", r => {
            double lo = Uniform(r, 0, 0.5), hi = Uniform(r, lo + 0.01, 0.99);
            return new($"rrelu({lo:R}, {hi:R})", x => F.rrelu(x, lo, hi), x => B.rrelu(x, lo, hi), [0]);
        }),
        new("elu", r => { double a = Uniform(r, -3, 3); return new($"elu({a:R})", x => F.elu(x, a), x => B.elu(x, a), [0]); }),
        new("celu", r => { double a = Uniform(r, 0.05, 4); return new($"celu({a:R})", x => F.celu(x, a), x => B.celu(x, a), [0]); }),
        new("selu", _ => new("selu", x => F.selu(x), x => B.selu(x), [0])),
        new("softplus", r => {
            double beta = Uniform(r, 0.1, 5), threshold = Uniform(r, -5, 30);
            return new($"softplus({beta:R}, {threshold:R})", x => F.softplus(x, beta, threshold), x => B.softplus(x, beta, threshold), [threshold / beta]);
        }),
        new("gelu", _ => new("gelu", x => F.gelu(x), x => B.gelu(x), [0]) { Exempt = BuiltinGeluOverflow }),
        new("gelu(tanh)", _ => new("gelu(approximate=tanh)", x => F.gelu(x, Approximate.tanh), x => B.gelu(x, Approximate.tanh), [0])),
        new("tanhshrink", _ => new("tanhshrink", x => F.tanhshrink(x), x => B.tanhshrink(x), [0])),
        new("softshrink", r => { double l = Uniform(r, 0, 3); return new($"softshrink({l:R})", x => F.softshrink(x, l), x => B.softshrink(x, l), [l, -l]); }),
        new("hardshrink", r => {
            double l = Uniform(r, 0, 3);
            // Documented difference: at exactly ±lambda the package returns x (the notes), the built-in 0.
            // Both compare in the input's dtype, so "exactly lambda" means lambda rounded to it.
            return new($"hardshrink({l:R})", x => F.hardshrink(x, l), x => B.hardshrink(x, l), [l, -l]) {
                Exempt = (v, _, _, dtype) => Math.Abs(v) == (dtype == ScalarType.Float32 ? (float)l : l),
            };
        }),
        new("relu6", _ => new("relu6", x => F.relu6(x), x => B.relu6(x), [0, 6])),
        new("sigmoid", _ => new("sigmoid", x => F.sigmoid(x), x => B.sigmoid(x), [0])),
        new("tanh", _ => new("tanh", x => F.tanh(x), x => B.tanh(x), [0])),
        new("softsign", _ => new("softsign", x => F.softsign(x), x => B.softsign(x), [0])),
        new("hardtanh", r => {
            double lo = Uniform(r, -5, 4), hi = Uniform(r, lo + 0.01, 5);
            // TorchSharp 0.107.0's hardtanh is the identity (BuiltinDefectTests): clamp is the reference.
            return new($"hardtanh({lo:R}, {hi:R})", x => F.hardtanh(x, lo, hi), x => x.clamp(lo, hi), [lo, hi]);
        }),
        new("threshold", r => {
            double t = Uniform(r, -3, 3), v = Uniform(r, -5, 5);
            return new($"threshold({t:R}, {v:R})", x => F.threshold(x, t, v), x => B.threshold(x, t, v), [t]);
        }),
        new("heaviside", r => {
            double t = Uniform(r, -3, 3);
            return new($"heaviside({t:R})", x => F.heaviside(x, t), x => torch.heaviside(x - t, torch.ones_like(x)), [t]);
        }),
        new("logsigmoid", _ => new("logsigmoid", x => F.logsigmoid(x), x => B.logsigmoid(x), [0])),
        // Beyond the notes, with no built-in: the formula composed of built-in ops.
        new("relu_squared", _ => new("relu_squared", x => F.relu_squared(x), x => B.relu(x).square(), [0])),
        new("star_relu", r => {
            double sc = Uniform(r, -2, 2), b = Uniform(r, -2, 2);
            return new($"star_relu({sc:R}, {b:R})", x => F.star_relu(x, Full(x, sc), Full(x, b)), x => B.relu(x).square() * Full(x, sc) + Full(x, b), [0]);
        }),
        new("quick_gelu", _ => new("quick_gelu", x => F.quick_gelu(x), x => x * B.sigmoid(x * 1.702), [0])),
        new("snake", r => {
            double a = Uniform(r, -2, 2);
            return new($"snake({a:R})", x => F.snake(x, Full(x, a)), x => x + (x * Full(x, a)).sin().square() / Full(x, a), [0, 0.01 / a, -0.01 / a]);
        }),
        new("softmin", _ => new("softmin", x => x, x => x, []), AlongDim: true),
        new("softmax", _ => new("softmax", x => x, x => x, []), AlongDim: true),
        new("log_softmax", _ => new("log_softmax", x => x, x => x, []), AlongDim: true),
    ];

    public static IEnumerable<object[]> Cases => Properties.Select(p => new object[] { p });

    static Instance AlongDim(string name, long dim) => name switch {
        "softmin" => new($"softmin(dim={dim})", x => F.softmin(x, dim), x => B.softmin(x, dim), []),
        "softmax" => new($"softmax(dim={dim})", x => F.softmax(x, dim), x => B.softmax(x, dim), []),
        _ => new($"log_softmax(dim={dim})", x => F.log_softmax(x, dim), x => B.log_softmax(x, dim), []),
    };

    static long[] Shape(Random r, int minRank)
    {
        int rank = Math.Max(minRank, r.Next(10) switch { 0 or 1 => 0, 2 or 3 => 1, 4 or 5 or 6 => 2, 7 or 8 => 3, _ => 4 });
        return Enumerable.Range(0, rank).Select(_ => (long)(r.Next(8) == 0 ? 0 : r.Next(1, 5))).ToArray();
    }

    static double Value(Random r, ScalarType dtype, double[] points)
    {
        bool f32 = dtype == ScalarType.Float32;
        double[] specials = [
            double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0,
            f32 ? 1e-40 : 5e-324, f32 ? -1e-40 : -5e-324, f32 ? 1e-45 : 1e-310,
            f32 ? 3e38 : 1e300, f32 ? -3e38 : -1e300, 1e30, -1e30, f32 ? float.MaxValue : double.MaxValue,
            f32 ? float.MinValue : double.MinValue, 1e-30, -1e-30, 88.8, -88.8, 710, -710, 30, -30,
        ];
        int kind = r.Next(100);
        if (kind < 25) return specials[r.Next(specials.Length)];
        if (kind < 35 && points.Length > 0) return points[r.Next(points.Length)];
        double scale = r.Next(4) switch { 0 => 0.1, 1 => 1, 2 => 4, _ => 100 };
        // Box–Muller normal.
        double u1 = 1 - r.NextDouble(), u2 = r.NextDouble();
        return scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    static string Show(long[] shape) => $"[{string.Join(", ", shape)}]";

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_matches_the_builtin_on_random_inputs_and_nothing_crashes(Property property)
    {
        int seed = 7919 * (Array.IndexOf(Properties, property) + 1) + SeedOffset;
        var r = new Random(seed);
        for (int n = 0; n < CasesPerActivation; n++) {
            using var scope = torch.NewDisposeScope();
            var dtype = r.Next(2) == 0 ? ScalarType.Float32 : ScalarType.Float64;
            var shape = Shape(r, 0);
            Instance instance;
            if (property.AlongDim) {
                long rank = Math.Max(shape.Length, 1);
                instance = AlongDim(property.Name, r.Next(-(int)rank, (int)rank));
            } else {
                instance = property.Make(r);
            }
            long numel = shape.Aggregate(1L, (a, b) => a * b);
            var values = Enumerable.Range(0, (int)numel).Select(_ => Value(r, dtype, instance.Points)).ToArray();
            var x = torch.tensor(values, dtype: ScalarType.Float64).reshape(shape).to_type(dtype);
            var xs = TensorAssert.Values(x);   // the inputs as the dtype holds them
            string at = $"{property} seed {seed} case {n}: {instance.Description} on {dtype} {Show(shape)}";

            Tensor ours, builtin;
            try {
                ours = instance.Ours(x);
            } catch (Exception e) {
                throw new Xunit.Sdk.XunitException($"{at}: the package threw {e.GetType().Name}: {e.Message}");
            }
            builtin = instance.Builtin(x);
            Assert.Equal(x.shape, ours.shape);
            Assert.Equal(dtype, ours.dtype);

            var o = TensorAssert.Values(ours);
            var b = TensorAssert.Values(builtin);
            var (rtol, atol) = TensorAssert.Tolerance(dtype);
            for (int i = 0; i < o.Length; i++) {
                if (!property.AlongDim && instance.Exempt(xs[i], o[i], b[i], dtype)) continue;
                bool ok = double.IsNaN(b[i]) ? double.IsNaN(o[i])
                    : double.IsNaN(o[i]) ? false
                    : double.IsInfinity(b[i]) || double.IsInfinity(o[i]) ? o[i] == b[i]
                    : Math.Abs(o[i] - b[i]) <= atol + rtol * Math.Abs(b[i]);
                if (!ok) {
                    var input = property.AlongDim ? $"input row values [{string.Join(", ", xs.Select(v => v.ToString("R")))}]" : $"x = {xs[i]:R}";
                    Assert.Fail($"{at}: element {i}, {input}: package {o[i]:R}, built-in {b[i]:R}.");
                }
            }

            // Backward on the same input must run (any value, any shape) and give a gradient of the input's shape.
            try {
                var leaf = x.clone().requires_grad_(true);
                var y = instance.Ours(leaf);
                y.backward([torch.ones_like(y)]);
                Assert.Equal(x.shape, leaf.grad!.shape);
            } catch (Exception e) when (e is not Xunit.Sdk.XunitException) {
                throw new Xunit.Sdk.XunitException($"{at}: backward threw {e.GetType().Name}: {e.Message}");
            }
        }
    }
}
