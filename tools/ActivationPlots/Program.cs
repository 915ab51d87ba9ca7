// Draws the graphs of docs/activations.md. Every value plotted comes from the package itself:
// the function from the module Activations.Create(spec) returns, the derivative from autograd
// (backward of the sum of the outputs). Nothing here restates a formula.
//
//   dotnet run --project tools/ActivationPlots -- --out docs/img
//   dotnet run --project tools/ActivationPlots -- --kinks      (package vs TorchSharp derivative at each kink)

using System.Globalization;
using ScottPlot;
using TorchActivations;
using TorchSharp;
using static TorchSharp.torch;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

string? outDir = null;
bool kinks = false;
for (int i = 0; i < args.Length; i++) {
    switch (args[i]) {
        case "--out" when i + 1 < args.Length: outDir = args[++i]; break;
        case "--kinks": kinks = true; break;
        default:
            Console.Error.WriteLine("usage: ActivationPlots --out DIR | --kinks");
            return 2;
    }
}
if (outDir is null && !kinks) {
    Console.Error.WriteLine("usage: ActivationPlots --out DIR | --kinks");
    return 2;
}

// float64 throughout, so PReLU's weight (created in the default dtype) matches the inputs.
torch.set_default_dtype(ScalarType.Float64);

if (kinks) return KinkReport.Run();

Directory.CreateDirectory(outDir!);
var sizes = new List<(string File, long Bytes)>();
int failures = 0;

foreach (var name in Activations.Names) {
    if (name is "glu" or "softmax2d") {
        // glu changes the shape (a·σ(b) of two halves) and softmax2d is softmax over channels of a 4-D
        // input (drawn as softmax): neither is a curve of one variable.
        Console.WriteLine($"{name,-12} not drawn: not a function of one input coordinate (see docs/activations.md)");
        continue;
    }
    var figure = Figures.For(name);
    var curves = Curves.Compute(figure);
    Console.WriteLine($"{name,-12} {figure.Title,-44} max |autograd − central difference| away from kinks: {curves.FiniteDifferenceError:0.0e+0}");
    if (curves.FiniteDifferenceError > 1e-6) {
        Console.Error.WriteLine($"  {name}: the autograd derivative does not match the forward's slope");
        failures++;
    }
    var plot = new Plot();
    Draw.Figure(plot, figure, curves, compact: false);
    var path = Path.Combine(outDir!, $"{name}.png");
    plot.SavePng(path, 600, 400);
    sizes.Add((path, new FileInfo(path).Length));
}

// Overview: every element-wise activation in one grid.
{
    var names = Activations.ElementwiseNames;
    const int columns = 4;
    int rows = (names.Count + columns - 1) / columns;
    var multiplot = new Multiplot();
    multiplot.AddPlots(names.Count);
    multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
    for (int i = 0; i < names.Count; i++) {
        var figure = Figures.For(names[i]);
        Draw.Figure(multiplot.GetPlot(i), figure, Curves.Compute(figure), compact: true, legend: i == 0);
    }
    var path = Path.Combine(outDir!, "overview.png");
    multiplot.SavePng(path, 1200, 240 * rows);
    sizes.Add((path, new FileInfo(path).Length));
}

// The notes' vanishing-gradient section: sigmoid and tanh with their derivatives.
{
    var path = Path.Combine(outDir!, "vanishing-gradient.png");
    Draw.VanishingGradient(path);
    sizes.Add((path, new FileInfo(path).Length));
}

foreach (var (file, bytes) in sizes)
    Console.WriteLine($"wrote {file} ({bytes / 1024.0:0.0} KiB)");
return failures == 0 ? 0 : 1;

/// <summary>What to draw for one activation: the spec passed to Activations.Create, the range and the kinks.</summary>
sealed record Figure(string Name, string Spec, string Title, double Lo, double Hi, double[] Kinks, string? Note = null)
{
    /// <summary>Softmin, softmax and log_softmax: one row (t, 0, 1), output 0 against input coordinate 0.</summary>
    public bool AlongDim { get; init; }

    /// <summary>RReLU: plotted in evaluation mode, with training-mode samples as dots.</summary>
    public bool Random { get; init; }

    /// <summary>The gated units (swiglu, geglu, reglu): rows (1, t), i.e. value a = 1 and gate b = t, output and ∂y/∂t.</summary>
    public bool Gated { get; init; }
}

static class Figures
{
    // Only what a plot needs beyond the package: which parameters illustrate the shape, the range
    // that shows it, and where the kinks are. Activations not listed are drawn with their defaults on [−6, 6],
    // without kink markers.
    static readonly Dictionary<string, Figure> Table = new[] {
        F("relu", "relu", -6, 6, [0]),
        F("leaky_relu", "leaky_relu(negative_slope=0.1)", -6, 6, [0], "slope 0.1 instead of the default 0.01, to be visible"),
        F("prelu", "prelu", -6, 6, [0], "weight = init = 0.25 (learnable)"),
        F("rrelu", "rrelu", -6, 6, [0], "line: evaluation mode, slope (l+u)/2; dots: training-mode samples") with { Random = true },
        F("elu", "elu", -6, 6, [], "α = 1: no kink at 0"),
        F("celu", "celu(alpha=2)", -6, 6, [], "α = 2 to differ from ELU; differentiable at 0 for every α"),
        F("selu", "selu", -6, 6, [0]),
        F("softplus", "softplus", -6, 6, [], "β·x never exceeds the threshold here"),
        F("gelu", "gelu", -6, 6, []),
        F("tanhshrink", "tanhshrink", -6, 6, []),
        F("softshrink", "softshrink", -3, 3, [-0.5, 0.5]),
        F("hardshrink", "hardshrink", -3, 3, [-0.5, 0.5]),
        F("relu6", "relu6", -3, 9, [0, 6]),
        F("sigmoid", "sigmoid", -6, 6, []),
        F("tanh", "tanh", -6, 6, []),
        F("softsign", "softsign", -6, 6, []),
        F("hardtanh", "hardtanh", -3, 3, [-1, 1]),
        F("threshold", "threshold(threshold=1, value=-1)", -4, 4, [1], "no defaults: threshold and value are required"),
        F("heaviside", "heaviside", -4, 4, [0], "f′ = 0 everywhere, at the jump too"),
        F("logsigmoid", "logsigmoid", -6, 6, []),
        F("softmin", "softmin(dim=1)", -6, 6, [], "row (t, 0, 1): output 0 and ∂y₀/∂t") with { AlongDim = true },
        F("softmax", "softmax(dim=1)", -6, 6, [], "row (t, 0, 1): output 0 and ∂y₀/∂t") with { AlongDim = true },
        F("log_softmax", "log_softmax(dim=1)", -6, 6, [], "row (t, 0, 1): output 0 and ∂y₀/∂t") with { AlongDim = true },
        F("silu", "silu", -6, 6, []),
        F("swish", "swish", -6, 6, [], "β = init = 1 (learnable): equal to SiLU"),
        F("mish", "mish", -6, 6, []),
        F("hardsigmoid", "hardsigmoid", -6, 6, [-3, 3]),
        F("hardswish", "hardswish", -6, 6, [-3, 3]),
        F("swiglu", "swiglu", -6, 6, [], "row (a, b) = (1, t): y = SiLU(t) and ∂y/∂b") with { Gated = true },
        F("geglu", "geglu", -6, 6, [], "row (a, b) = (1, t): y = GELU(t) and ∂y/∂b") with { Gated = true },
        F("reglu", "reglu", -6, 6, [0], "row (a, b) = (1, t): y = ReLU(t) and ∂y/∂b") with { Gated = true },
        F("relu_squared", "relu_squared", -3, 3, [], "f′ = 2·ReLU(x): continuous, 0 at 0"),
        F("star_relu", "star_relu", -3, 3, [], "scale and bias at their initial values (learnable)"),
        F("quick_gelu", "quick_gelu", -6, 6, [], "x·σ(1.702·x)"),
        F("snake", "snake", -6, 6, [], "α = init = 1 (learnable)"),
    }.ToDictionary(f => f.Name);

    static Figure F(string name, string spec, double lo, double hi, double[] kinks, string? note = null) =>
        new(name, spec, Title(name, spec), lo, hi, kinks, note);

    public static Figure For(string name) =>
        Table.TryGetValue(name, out var f) ? f : F(name, name, -6, 6, []);

    /// <summary>The spec with every parameter's value, defaults included (flags left out): e.g. elu(alpha=1).</summary>
    static string Title(string name, string spec)
    {
        var values = Pairs(Activations.Describe(name));
        foreach (var (k, v) in Pairs(spec)) values[k] = v;
        // Flags (inplace, star_relu's *_learnable) do not change the curve.
        foreach (var flag in values.Where(p => p.Value is "true" or "false").Select(p => p.Key).ToList()) values.Remove(flag);
        return values.Count == 0 ? name : $"{name}({string.Join(", ", values.Select(p => $"{p.Key}={p.Value}"))})";
    }

    static Dictionary<string, string> Pairs(string spec)
    {
        var result = new Dictionary<string, string>();
        int open = spec.IndexOf('(');
        if (open < 0) return result;
        foreach (var part in spec[(open + 1)..spec.LastIndexOf(')')].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) {
            var eq = part.IndexOf('=');
            if (eq <= 0) continue;
            var value = part[(eq + 1)..].Trim();
            // 0.3333333333333333 reads better as 0.3333.
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                value = d.ToString("0.####", CultureInfo.InvariantCulture);
            result[part[..eq].Trim()] = value;
        }
        return result;
    }
}

/// <summary>The function and its derivative on each open piece between kinks, and at the kinks themselves.</summary>
sealed record Curves(
    List<(double[] X, double[] Y, double[] DY)> Pieces,
    List<(double X, double Y, double DY, double YLeft, double YRight, double DYLeft, double DYRight)> KinkPoints,
    (double[] X, double[] Y)? Samples,
    double FiniteDifferenceError)
{
    const double Side = 1e-9;   // how close to a kink the one-sided limits are taken

    public static Curves Compute(Figure f)
    {
        using var module = Activations.Create(f.Spec);
        if (f.Random) module.eval();

        var bounds = new[] { f.Lo }.Concat(f.Kinks).Append(f.Hi).ToArray();
        var pieces = new List<(double[], double[], double[])>();
        double fdError = 0;
        for (int i = 0; i + 1 < bounds.Length; i++) {
            double a = bounds[i] + (i == 0 ? 0 : Side), b = bounds[i + 1] - (i + 1 == bounds.Length - 1 ? 0 : Side);
            int n = Math.Max(50, (int)(600 * (b - a) / (f.Hi - f.Lo)));
            var xs = Enumerable.Range(0, n).Select(k => a + (b - a) * k / (n - 1)).ToArray();
            var (y, dy) = Evaluate(module, f, xs);
            pieces.Add((xs, y, dy));

            // The derivative must be the slope of the forward: compare with central differences
            // at points at least 1e-3 away from the ends of the piece.
            const double h = 1e-5;
            var inner = xs.Where(x => x - a > 1e-3 && b - x > 1e-3).ToArray();
            if (inner.Length > 0) {
                var (yp, _) = Evaluate(module, f, inner.Select(x => x + h).ToArray());
                var (ym, _) = Evaluate(module, f, inner.Select(x => x - h).ToArray());
                var (_, d) = Evaluate(module, f, inner);
                for (int k = 0; k < inner.Length; k++)
                    fdError = Math.Max(fdError, Math.Abs((yp[k] - ym[k]) / (2 * h) - d[k]));
            }
        }

        var kinkPoints = new List<(double, double, double, double, double, double, double)>();
        foreach (var k in f.Kinks) {
            var (y, dy) = Evaluate(module, f, [k, k - Side, k + Side]);
            kinkPoints.Add((k, y[0], dy[0], y[1], y[2], dy[1], dy[2]));
        }

        (double[], double[])? samples = null;
        if (f.Random) {
            // Training mode draws a slope per element: show 200 such draws, reproducibly.
            module.train();
            torch.manual_seed(1);
            var xs = Enumerable.Range(0, 200).Select(k => f.Lo + (f.Hi - f.Lo) * k / 199.0).ToArray();
            var (y, _) = Evaluate(module, f, xs);
            samples = (xs, y);
            module.eval();
        }
        return new Curves(pieces, kinkPoints, samples, fdError);
    }

    /// <summary>Forward through the module, derivative by autograd. For the row-wise activations the input is rows (t, 0, 1).</summary>
    public static (double[] Y, double[] DY) Evaluate(torch.nn.Module<Tensor, Tensor> module, Figure f, double[] xs)
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(xs, dtype: ScalarType.Float64);
        if (f.Gated) {
            // Value half a = 1, gate half b = t: the output is act(t), and column 1 of the gradient is ∂y/∂b.
            var rows = torch.stack([torch.ones_like(t), t], dim: 1).requires_grad_(true);
            var y = module.call(rows);
            y.backward([torch.ones_like(y)]);
            return (y.detach()[.., 0].contiguous().data<double>().ToArray(), rows.grad![.., 1].contiguous().data<double>().ToArray());
        }
        if (!f.AlongDim) {
            var x = t.clone().requires_grad_(true);
            var y = module.call(x);
            y.backward([torch.ones_like(y)]);
            return (y.detach().data<double>().ToArray(), x.grad!.data<double>().ToArray());
        } else {
            var rows = torch.stack([t, torch.zeros_like(t), torch.ones_like(t)], dim: 1).requires_grad_(true);
            var y = module.call(rows);
            // Backward of output 0 of each row: rows are independent, so column 0 of the gradient is ∂y₀/∂t.
            var select = torch.zeros_like(y);
            select[.., 0] = torch.tensor(1.0);
            y.backward([select]);
            return (y.detach()[.., 0].contiguous().data<double>().ToArray(), rows.grad![.., 0].contiguous().data<double>().ToArray());
        }
    }
}

static class Draw
{
    static readonly Color Function = Colors.C0;
    static readonly Color Derivative = Colors.C1;

    public static void Figure(Plot plot, Figure f, Curves c, bool compact, bool legend = true)
    {
        plot.Font.Set("DejaVu Sans");
        float lineWidth = compact ? 1.5f : 2f;
        bool first = true;
        foreach (var (x, y, dy) in c.Pieces) {
            var fLine = plot.Add.ScatterLine(x, y, Function);
            fLine.LineWidth = lineWidth;
            var dLine = plot.Add.ScatterLine(x, dy, Derivative);
            dLine.LineWidth = lineWidth;
            dLine.LinePattern = LinePattern.Dashed;
            if (first && legend) {
                fLine.LegendText = f.AlongDim ? "y₀ (forward)" : f.Gated ? "y (forward)" : "f(x) (forward)";
                dLine.LegendText = f.AlongDim ? "∂y₀/∂t (autograd)" : f.Gated ? "∂y/∂b (autograd)" : "f′(x) (autograd)";
            }
            first = false;
        }

        if (c.Samples is { } s) {
            var dots = plot.Add.ScatterPoints(s.X, s.Y, Colors.Gray.WithAlpha(0.6));
            dots.MarkerSize = compact ? 2 : 3;
            if (legend) dots.LegendText = "training-mode samples";
        }

        float markerSize = compact ? 5 : 8;
        foreach (var k in c.KinkPoints) {
            var v = plot.Add.VerticalLine(k.X, 1, Colors.Gray.WithAlpha(0.5));
            v.LinePattern = LinePattern.Dotted;
        }
        // Filled dots first, then the rings of the one-sided limits, larger and on top, so that a
        // ring stays visible where it falls on another curve's dot.
        foreach (var k in c.KinkPoints) {
            plot.Add.Marker(k.X, k.Y, MarkerShape.FilledCircle, markerSize, Function);
            plot.Add.Marker(k.X, k.DY, MarkerShape.FilledCircle, markerSize, Derivative);
        }
        foreach (var k in c.KinkPoints) {
            Ring(plot, k.X, k.Y, k.YLeft, k.YRight, Function, markerSize);
            Ring(plot, k.X, k.DY, k.DYLeft, k.DYRight, Derivative, markerSize);
        }

        plot.Add.HorizontalLine(0, 1, Colors.Black.WithAlpha(0.3));
        plot.Axes.SetLimitsX(f.Lo, f.Hi);
        var ys = c.Pieces.SelectMany(p => p.Y.Concat(p.DY)).Concat(c.Samples?.Y ?? []).Where(double.IsFinite).ToArray();
        double yLo = Math.Min(ys.Min(), 0), yHi = Math.Max(ys.Max(), 0);
        double pad = 0.08 * Math.Max(yHi - yLo, 1e-3);
        plot.Axes.SetLimitsY(yLo - pad, yHi + pad);

        if (compact) {
            plot.Title(f.Title, 12);
            if (legend) {
                plot.ShowLegend(Corners.First());
                plot.Legend.FontSize = 10;
            }
            plot.Axes.Bottom.TickLabelStyle.FontSize = 10;
            plot.Axes.Left.TickLabelStyle.FontSize = 10;
        } else {
            plot.Title(f.Title, 16);
            plot.XLabel(f.Kinks.Length > 0 ? $"{(f.Gated ? "t" : "x")}      (● value the package uses at a kink, ○ one-sided limit)" : (f.AlongDim || f.Gated ? "t" : "x"), 12);
            // Legend and note go to the two corners the curves leave most empty.
            var legendAt = Corners.MinBy(place => Crowding(place, f, c, yLo - pad, yHi + pad));
            plot.ShowLegend(legendAt);
            if (f.Note is not null) {
                var noteAt = NotePlaces.Where(place => place != legendAt && !(legendAt.ToString().StartsWith("Upper") && place == Alignment.UpperCenter)
                                                                     && !(legendAt.ToString().StartsWith("Lower") && place == Alignment.LowerCenter))
                    .MinBy(place => Crowding(place, f, c, yLo - pad, yHi + pad));
                Style(plot.Add.Annotation(f.Note, noteAt));
            }
        }
    }

    static readonly Alignment[] Corners = [Alignment.UpperLeft, Alignment.UpperRight, Alignment.LowerRight, Alignment.LowerLeft];

    static readonly Alignment[] NotePlaces = [.. Corners, Alignment.MiddleLeft, Alignment.MiddleRight, Alignment.UpperCenter, Alignment.LowerCenter];

    /// <summary>How many plotted points fall in the box (40% of the width, 30% of the height) at a corner or edge.</summary>
    static int Crowding(Alignment place, Figure f, Curves c, double yLo, double yHi)
    {
        double w = 0.4 * (f.Hi - f.Lo), h = 0.3 * (yHi - yLo);
        var name = place.ToString();
        (double lo, double hi) xs = name.EndsWith("Left") ? (f.Lo, f.Lo + w)
            : name.EndsWith("Right") ? (f.Hi - w, f.Hi)
            : ((f.Lo + f.Hi - w) / 2, (f.Lo + f.Hi + w) / 2);
        (double lo, double hi) ys = name.StartsWith("Upper") ? (yHi - h, yHi)
            : name.StartsWith("Lower") ? (yLo, yLo + h)
            : ((yLo + yHi - h) / 2, (yLo + yHi + h) / 2);
        var points = c.Pieces.SelectMany(p => p.X.Zip(p.Y).Concat(p.X.Zip(p.DY)))
            .Concat(c.Samples is { } s ? s.X.Zip(s.Y) : [])
            .Concat(c.KinkPoints.SelectMany(k => new[] { (k.X, k.Y), (k.X, k.DY) }));
        return points.Count(p => p.Item1 >= xs.lo && p.Item1 <= xs.hi && p.Item2 >= ys.lo && p.Item2 <= ys.hi);
    }

    static void Style(ScottPlot.Plottables.Annotation note)
    {
        note.LabelFontSize = 11;
        note.LabelBackgroundColor = Colors.White.WithAlpha(0.85);
        note.LabelBorderColor = Colors.Gray;
        note.LabelShadowColor = Colors.Transparent;
    }

    static void Ring(Plot plot, double x, double atKink, double left, double right, Color color, float size)
    {
        foreach (var limit in new[] { left, right }.Distinct())
            if (Math.Abs(limit - atKink) > 1e-6) {
                var open = plot.Add.Marker(x, limit, MarkerShape.OpenCircle, size * 1.6f, color);
                open.MarkerLineWidth = 2f;
            }
    }

    public static void VanishingGradient(string path)
    {
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        var xs = Enumerable.Range(0, 601).Select(k => -6 + 12 * k / 600.0).ToArray();
        double maxSigmoidSlope = 0, maxTanhSlope = 0;
        foreach (var (name, color) in new[] { ("sigmoid", Colors.C0), ("tanh", Colors.C2) }) {
            var figure = Figures.For(name);
            using var module = Activations.Create(figure.Spec);
            var (y, dy) = Curves.Evaluate(module, figure, xs);
            var f = plot.Add.ScatterLine(xs, y, color);
            f.LineWidth = 2;
            f.LegendText = $"{name}(x)";
            var d = plot.Add.ScatterLine(xs, dy, color);
            d.LineWidth = 2;
            d.LinePattern = LinePattern.Dashed;
            d.LegendText = $"{name}′(x) (autograd), max {dy.Max():0.###}";
            if (name == "sigmoid") maxSigmoidSlope = dy.Max(); else maxTanhSlope = dy.Max();
        }
        var quarter = plot.Add.HorizontalLine(maxSigmoidSlope, 1, Colors.C0.WithAlpha(0.5));
        quarter.LinePattern = LinePattern.Dotted;
        plot.Add.HorizontalLine(0, 1, Colors.Black.WithAlpha(0.3));
        plot.Axes.SetLimits(-6, 6, -1.15, 1.9);   // room for the legend above the curves
        plot.Title("Vanishing gradient: sigmoid and tanh saturate", 16);
        plot.XLabel("x", 12);
        var note = plot.Add.Annotation(
            $"n sigmoid layers scale the gradient by at most {maxSigmoidSlope:0.##}ⁿ\n({Math.Pow(maxSigmoidSlope, 10):0.0e+0} for n = 10); tanh′ ≤ {maxTanhSlope:0.##} but → 0 for |x| ≳ 3",
            Alignment.LowerRight);
        Style(note);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 600, 400);
    }
}

/// <summary>
/// At every kink: the package's value and derivative next to TorchSharp's built-in's, so the
/// documentation's statements about where they differ come from a run, not from memory.
/// </summary>
static class KinkReport
{
    static readonly Figure Plain = new("", "", "", 0, 0, []);

    // (spec for Activations.Create and Activations.CreateBuiltin, the points to compare)
    static readonly (string Spec, double[] At)[] Rows = [
        ("relu", [0]),
        ("leaky_relu(negative_slope=0.1)", [0]),
        ("prelu", [0]),
        ("rrelu", [0]),
        ("elu", [0]),
        ("elu(alpha=0.5)", [0]),
        ("celu(alpha=2)", [0]),
        ("selu", [0]),
        ("softplus(beta=2, threshold=10)", [5]),
        ("softshrink", [-0.5, 0.5]),
        ("hardshrink", [-0.5, 0.5]),
        ("relu6", [0, 6]),
        ("hardtanh", [-1, 1, -2, 2]),
        ("threshold(threshold=1, value=-1)", [1]),
        ("heaviside", [0]),
        ("hardsigmoid", [-3, 3]),
        ("hardswish", [-3, 3]),
    ];

    public static int Run()
    {
        Console.WriteLine($"{"activation",-34} {"x",6} {"ours f",13} {"built-in f",13} {"ours f'",13} {"built-in f'",13}");
        foreach (var (spec, at) in Rows) {
            using var module = Activations.Create(spec);
            using var builtin = Activations.CreateBuiltin(spec);
            module.eval();   // rrelu: the deterministic evaluation mode, as the built-in's default
            builtin.eval();
            var (y, dy) = Curves.Evaluate(module, Plain, at);
            for (int i = 0; i < at.Length; i++) {
                using var scope = torch.NewDisposeScope();
                var x = torch.tensor(new[] { at[i] }).requires_grad_(true);
                var r = builtin.call(x);
                string by = Fmt(r.detach().item<double>()), bdy = "no backward";
                if (r.requires_grad) {
                    r.backward();
                    bdy = Fmt(x.grad!.item<double>());
                }
                var mark = by != Fmt(y[i]) || bdy != Fmt(dy[i]) ? "  <- differs" : "";
                Console.WriteLine($"{spec,-34} {at[i],6:0.###} {Fmt(y[i]),13} {by,13} {Fmt(dy[i]),13} {bdy,13}{mark}");
            }
        }
        return 0;
    }

    static string Fmt(double v) => v == 0 ? "0" : v.ToString("0.##########", CultureInfo.InvariantCulture);
}
