using System.Globalization;
using System.Reflection;
using System.Runtime.ExceptionServices;
using TorchActivations.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Lookup;

/// <summary>
/// The table behind <see cref="Activations.Create"/>: one row per activation, in the order of the notes, then the
/// activations of modern architectures the notes do not cover (silu … softmax2d, then swiglu … squareplus).
/// Parameter names, types and defaults come from the factory method itself, so the lookup cannot drift from it.
/// </summary>
internal static class ActivationCatalog
{
    /// <param name="Name">The torch.nn.functional name.</param>
    /// <param name="Factory">The factory in <see cref="Activations"/>.</param>
    /// <param name="AlongDim">
    /// Each output depends on a slice of the input along a dim, not on one element: the softmax family and
    /// softmax2d, and glu, swiglu, geglu and reglu, whose output is also half the input's size along its dim. These are left out of
    /// <see cref="ElementwiseNames"/>.
    /// </param>
    internal sealed record Entry(string Name, Delegate Factory, bool AlongDim = false)
    {
        public MethodInfo Method => Factory.Method;

        /// <summary>The parameters a spec string may set: numbers, booleans and enums (not device, dtype or generator).</summary>
        public ParameterInfo[] Settable => Method.GetParameters().Where(p => IsSettable(p.ParameterType)).ToArray();
    }

    static readonly Entry[] Entries = [
        new("relu", Activations.ReLU),
        new("leaky_relu", Activations.LeakyReLU),
        new("prelu", Activations.PReLU),
        new("rrelu", Activations.RReLU),
        new("elu", Activations.ELU),
        new("celu", Activations.CELU),
        new("selu", Activations.SELU),
        new("softplus", Activations.Softplus),
        new("gelu", Activations.GELU),
        new("tanhshrink", Activations.Tanhshrink),
        new("softshrink", Activations.Softshrink),
        new("hardshrink", Activations.Hardshrink),
        new("relu6", Activations.ReLU6),
        new("sigmoid", Activations.Sigmoid),
        new("tanh", Activations.Tanh),
        new("softsign", Activations.Softsign),
        new("hardtanh", Activations.Hardtanh),
        new("threshold", Activations.Threshold),
        new("heaviside", Activations.Heaviside),
        new("logsigmoid", Activations.LogSigmoid),
        new("softmin", Activations.Softmin, AlongDim: true),
        new("softmax", Activations.Softmax, AlongDim: true),
        new("log_softmax", Activations.LogSoftmax, AlongDim: true),
        // Beyond the notes: the activations of modern architectures.
        new("silu", Activations.SiLU),
        new("swish", Activations.Swish),
        new("mish", Activations.Mish),
        new("hardsigmoid", Activations.Hardsigmoid),
        new("hardswish", Activations.Hardswish),
        new("glu", Activations.GLU, AlongDim: true),
        new("softmax2d", Activations.Softmax2d, AlongDim: true),
        // The gated units of transformer feed-forward blocks and the activations of recent vision and audio models.
        new("swiglu", Activations.SwiGLU, AlongDim: true),
        new("geglu", Activations.GEGLU, AlongDim: true),
        new("reglu", Activations.ReGLU, AlongDim: true),
        new("relu_squared", Activations.ReLUSquared),
        new("star_relu", Activations.StarReLU),
        new("quick_gelu", Activations.QuickGELU),
        new("snake", Activations.Snake),
        new("squareplus", Activations.Squareplus),
    ];

    public static IReadOnlyList<string> Names { get; } = Entries.Select(e => e.Name).ToArray();

    public static IReadOnlyList<string> ElementwiseNames { get; } = Entries.Where(e => !e.AlongDim).Select(e => e.Name).ToArray();

    static bool IsSettable(Type t) => t == typeof(double) || t == typeof(long) || t == typeof(int) || t == typeof(bool) || t.IsEnum;

    // "LeakyReLU", "leaky_relu" and "leaky-relu" all name the same activation.
    static string Normalize(string name) => new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    public static Entry Find(string name, string paramName)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        return Entries.FirstOrDefault(e => Normalize(e.Name) == Normalize(name))
            ?? throw new ArgumentException($"Unknown activation '{name}'. Valid names: {string.Join(", ", Names)}.", paramName);
    }

    /// <summary>Describes an entry as a spec with its defaults, e.g. <c>leaky_relu(negative_slope=0.01, inplace=false)</c>.</summary>
    public static string Signature(Entry e) =>
        $"{e.Name}({string.Join(", ", e.Settable.Select(p => p.HasDefaultValue ? $"{p.Name}={FormatValue(p.DefaultValue)}" : p.Name!))})";

    static string FormatValue(object? v) => v switch {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        null => "null",
        _ => Convert.ToString(v, CultureInfo.InvariantCulture)!,
    };

    public static nn.Module<Tensor, Tensor> Create(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec, nameof(spec));
        var (name, arguments) = SpecParser.Parse(spec);
        var entry = Find(name, nameof(spec));
        var parameters = entry.Method.GetParameters();
        var values = new object?[parameters.Length];
        var given = new bool[parameters.Length];

        for (int i = 0; i < arguments.Count; i++) {
            var (key, text) = arguments[i];
            int index;
            if (key is null) {
                if (i >= entry.Settable.Length || arguments.Take(i).Any(a => a.Key is not null))
                    throw new ArgumentException($"{Signature(entry)} takes at most {entry.Settable.Length} positional argument(s), before any named one; got '{spec}'.", nameof(spec));
                index = Array.IndexOf(parameters, entry.Settable[i]);
            } else {
                index = Array.FindIndex(parameters, p => IsSettable(p.ParameterType) && string.Equals(p.Name, key, StringComparison.OrdinalIgnoreCase));
                if (index < 0)
                    throw new ArgumentException($"{entry.Name} has no parameter '{key}'. Its parameters: {Signature(entry)}.", nameof(spec));
            }
            if (given[index])
                throw new ArgumentException($"{entry.Name}: parameter '{parameters[index].Name}' is given twice in '{spec}'.", nameof(spec));
            values[index] = ParseValue(entry, parameters[index], text);
            given[index] = true;
        }

        for (int i = 0; i < parameters.Length; i++) {
            if (given[i]) continue;
            if (!parameters[i].HasDefaultValue)
                throw new ArgumentException($"{entry.Name} needs '{parameters[i].Name}': {Signature(entry)}.", nameof(spec));
            values[i] = parameters[i].DefaultValue;
        }

        try {
            return (nn.Module<Tensor, Tensor>)entry.Factory.DynamicInvoke(values)!;
        } catch (TargetInvocationException e) when (e.InnerException is not null) {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    static object ParseValue(Entry entry, ParameterInfo p, string text)
    {
        var t = p.ParameterType;
        var invariant = CultureInfo.InvariantCulture;
        object? value = null;
        if (t == typeof(double) && double.TryParse(text, NumberStyles.Float, invariant, out var d)) value = d;
        else if (t == typeof(long) && long.TryParse(text, NumberStyles.Integer, invariant, out var l)) value = l;
        else if (t == typeof(int) && int.TryParse(text, NumberStyles.Integer, invariant, out var n)) value = n;
        else if (t == typeof(bool) && bool.TryParse(text, out var b)) value = b;
        else if (t.IsEnum && Enum.GetNames(t).FirstOrDefault(s => s.Equals(text, StringComparison.OrdinalIgnoreCase)) is { } member)
            value = Enum.Parse(t, member);
        if (value is not null) return value;

        string expected = t.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(t))}"
            : t == typeof(bool) ? "true or false"
            : t == typeof(double) ? "a number" : "an integer";
        throw new ArgumentException($"{entry.Name}: '{text}' is not a valid {p.Name}; expected {expected}.", "spec");
    }
}
