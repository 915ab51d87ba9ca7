using ScottPlot;

namespace MnistDemo;

/// <summary>PNG plots with ScottPlot.</summary>
public static class Plots
{
    const int Width = 1000, Height = 600;

    /// <summary>Moving average over a trailing window, so many-step loss curves stay readable.</summary>
    public static double[] Smooth(IReadOnlyList<double> ys, int window)
    {
        var result = new double[ys.Count];
        double sum = 0;
        for (int i = 0; i < ys.Count; i++) {
            sum += ys[i];
            if (i >= window) sum -= ys[i - window];
            result[i] = sum / Math.Min(i + 1, window);
        }
        return result;
    }

    static int WindowFor(int n) => Math.Clamp(n / 25, 1, 50);

    public static void LossCurve(string path, string title, IReadOnlyList<StepLoss> steps)
    {
        var plot = new Plot();
        var xs = steps.Select(s => (double)s.Step).ToArray();
        var ys = steps.Select(s => s.Loss).ToArray();
        var raw = plot.Add.ScatterLine(xs, ys);
        raw.LegendText = "loss per step";
        raw.Color = Colors.Blue.WithAlpha(0.25);
        int window = WindowFor(ys.Length);
        if (window > 1) {
            var smooth = plot.Add.ScatterLine(xs, Smooth(ys, window));
            smooth.LegendText = $"moving average ({window} steps)";
            smooth.Color = Colors.Blue;
            smooth.LineWidth = 2;
        } else {
            raw.Color = Colors.Blue;
        }
        plot.Title($"Training loss: {title}");
        plot.XLabel("step");
        plot.YLabel("NLL loss");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Width, Height);
    }

    static readonly LinePattern[] Patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted];

    static readonly MarkerShape[] Shapes = [
        MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond,
        MarkerShape.OpenCircle, MarkerShape.OpenSquare, MarkerShape.FilledTriangleDown,
    ];

    /// <summary>
    /// The look of series i: ten colours, then the next ten dashed and the ten after dotted, and a marker shape that
    /// cycles with a period (7) coprime to the colours', so up to 30 series differ in colour and line pattern, and each
    /// colour's series also differ in marker.
    /// </summary>
    public static (Color Color, LinePattern Pattern, MarkerShape Shape) Style(int i) =>
        (new ScottPlot.Palettes.Category10().GetColor(i % 10), Patterns[i / 10 % Patterns.Length], Shapes[i % Shapes.Length]);

    static void AddLegendItem(Plot plot, string label, int i, float lineWidth)
    {
        var (color, pattern, shape) = Style(i);
        plot.Legend.ManualItems.Add(new LegendItem {
            LabelText = label,
            LineStyle = new LineStyle { Color = color, Pattern = pattern, Width = lineWidth },
            MarkerStyle = new MarkerStyle(shape, 7, color),
        });
    }

    /// <summary>Log10 ticks labelled with the plain value (0.05, 0.1, 0.2, 0.5, 1, 2) for data plotted as log10(y).</summary>
    static ScottPlot.TickGenerators.NumericManual LogTicks(double min, double max)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int e = (int)Math.Floor(min) - 1; e <= (int)Math.Ceiling(max) + 1; e++)
            foreach (var m in new[] { 1.0, 2.0, 5.0 }) {
                double v = m * Math.Pow(10, e), y = Math.Log10(v);
                if (y >= min - 1e-9 && y <= max + 1e-9) ticks.AddMajor(y, v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture));
            }
        return ticks;
    }

    /// <summary>
    /// One smoothed loss-vs-step line per activation on a log axis (the curves differ late in training, where the loss is
    /// small), with sparse markers, staggered per series so they do not sit on top of each other.
    /// </summary>
    public static void LossCurves(string path, string title, IReadOnlyList<(string Label, double[] Steps, double[] Loss)> series)
    {
        var plot = new Plot();
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (int i = 0; i < series.Count; i++) {
            var (label, steps, loss) = series[i];
            var smooth = Smooth(loss, WindowFor(loss.Length));
            var ys = smooth.Select(v => Math.Log10(Math.Max(v, 1e-6))).ToArray();
            // Skip the first window: the moving average of a handful of steps is still the untrained loss.
            foreach (var y in ys.Skip(Math.Min(ys.Length - 1, WindowFor(loss.Length)))) { lo = Math.Min(lo, y); hi = Math.Max(hi, y); }
            var (color, pattern, shape) = Style(i);
            var line = plot.Add.ScatterLine(steps, ys, color);
            line.LinePattern = pattern;
            line.LineWidth = 1.5f;
            const int markers = 10;
            var at = Enumerable.Range(0, markers).Select(k => (int)((k + (double)(i % 5) / 5) * (ys.Length - 1) / markers)).Distinct().ToArray();
            var dots = plot.Add.ScatterPoints(at.Select(k => steps[k]).ToArray(), at.Select(k => ys[k]).ToArray(), color);
            dots.MarkerShape = shape;
            dots.MarkerSize = 7;
            AddLegendItem(plot, label, i, 1.5f);
        }
        if (double.IsFinite(lo)) {
            double pad = (hi - lo) * 0.04 + 1e-3;
            plot.Axes.SetLimitsY(lo - pad, hi + pad);
            plot.Axes.Left.TickGenerator = LogTicks(lo - pad, hi + pad);
        }
        plot.Axes.Margins(horizontal: 0.01);
        plot.Title(title);
        plot.XLabel("training step");
        plot.YLabel("NLL loss, moving average (log scale)");
        plot.ShowLegend(Edge.Right);
        // Tall enough for the legend's one column (about 21 px per entry): a second column would run past the right edge.
        plot.SavePng(path, Width + 200, Math.Max(Height + 40, 100 + 22 * series.Count));
    }

    /// <summary>
    /// Test accuracy per activation as a dot plot: one row per activation, mean with a ±std bar and its value written beside it;
    /// with a reference, the built-in's point sits just below the package's. The axis spans the data; values far below
    /// the rest (near chance) are pinned to the left edge with their value, so they do not flatten everything else.
    /// </summary>
    public static void AccuracyDots(string path, string title, IReadOnlyList<(string Label, double Mean, double Std, double? RefMean, double? RefStd)> items)
    {
        var plot = new Plot();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var all = items.SelectMany(it => it.RefMean is { } r ? new[] { it.Mean, r } : [it.Mean]).Where(double.IsFinite).OrderBy(v => v).ToArray();
        if (all.Length == 0) all = [0, 100];
        double median = all[all.Length / 2];
        double mad = all.Select(v => Math.Abs(v - median)).OrderBy(v => v).ElementAt(all.Length / 2);
        // Far below the bulk (robustly: the median less 8 median absolute deviations, at least 1 point): pinned to the
        // left edge with its value, and left out of the axis range, so the close calls stay readable.
        double cutoff = median - Math.Max(1.0, 8 * mad);
        bool Outlier(double v) => v < cutoff;
        var inRange = items.SelectMany(it => new[] { (it.Mean, it.Std), (it.RefMean ?? double.NaN, it.RefStd ?? 0) })
            .Where(p => double.IsFinite(p.Item1) && !Outlier(p.Item1)).ToArray();
        double lo = inRange.Min(p => p.Item1 - p.Item2), hi = inRange.Max(p => p.Item1 + p.Item2);
        double span = Math.Max(hi - lo, 0.2);
        // Room on the right for the value labels, a little on the left for the pinned outliers.
        double left = lo - span * (items.Any(it => Outlier(it.Mean) || it.RefMean is { } r && Outlier(r)) ? 0.45 : 0.05), right = hi + span * 0.3;
        bool anyRef = items.Any(it => it.RefMean is not null);
        var pkgColor = new ScottPlot.Palettes.Category10().GetColor(0);
        var refColor = new ScottPlot.Palettes.Category10().GetColor(1);
        int n = items.Count;
        for (int i = 0; i < n; i++) {
            double row = n - 1 - i;
            void Point(double mean, double std, double y, Color color, MarkerShape shape)
            {
                if (!double.IsFinite(mean)) return;
                string text = std > 0 ? $"{mean.ToString("F2", inv)} ± {std.ToString("F2", inv)}" : mean.ToString("F2", inv);
                if (Outlier(mean)) {
                    double x = left + (right - left) * 0.012;
                    plot.Add.Marker(x, y, MarkerShape.FilledTriangleDown, 9, color);
                    var t = plot.Add.Text($"{text} (off scale, below)", x, y);
                    t.LabelFontColor = color; t.LabelFontSize = 12; t.LabelAlignment = Alignment.MiddleLeft; t.OffsetX = 8;
                    return;
                }
                var bar = plot.Add.Line(Math.Max(mean - std, left), y, Math.Min(mean + std, right), y);
                bar.LineColor = color; bar.LineWidth = 2;
                plot.Add.Marker(mean, y, shape, 9, color);
                var label = plot.Add.Text(text, mean + std, y);
                label.LabelFontColor = color; label.LabelFontSize = 12; label.LabelAlignment = Alignment.MiddleLeft; label.OffsetX = 6;
            }
            Point(items[i].Mean, items[i].Std, anyRef ? row + 0.17 : row, pkgColor, MarkerShape.FilledCircle);
            if (items[i].RefMean is { } rm) Point(rm, items[i].RefStd ?? 0, row - 0.17, refColor, MarkerShape.FilledSquare);
        }
        if (anyRef) {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "package", MarkerStyle = new MarkerStyle(MarkerShape.FilledCircle, 9, pkgColor) });
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "TorchSharp built-in", MarkerStyle = new MarkerStyle(MarkerShape.FilledSquare, 9, refColor) });
            plot.ShowLegend(Edge.Bottom);   // outside the data: inside, it can cover the lowest rows' labels
        }
        plot.Axes.Left.SetTicks(Enumerable.Range(0, n).Select(i => (double)(n - 1 - i)).ToArray(), items.Select(it => it.Label).ToArray());
        plot.Axes.SetLimits(left, right, -0.7, n - 0.3);
        plot.Title(title);
        plot.XLabel("test accuracy (%): mean ± sample std over seeds");
        plot.YLabel("activation");
        plot.SavePng(path, Width, Math.Max(360, 110 + 26 * n) + (anyRef ? 50 : 0));   // room for the legend below
    }

    /// <summary>Per-layer values on a log10 y axis, one line per series (the gradient-flow plot).</summary>
    public static void LogLines(string path, string title, string xLabel, string yLabel, IReadOnlyList<(string Label, double[] Values)> series)
    {
        var plot = new Plot();
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        int i = 0;
        foreach (var (label, values) in series) {
            // Zero norms (no gradient at all, e.g. heaviside) have no logarithm: those points are left out.
            var kept = values.Select((v, k) => (X: k + 1.0, V: v)).Where(p => p.V > 0 && double.IsFinite(p.V)).ToArray();
            if (kept.Length == 0) continue;
            var xs = kept.Select(p => p.X).ToArray();
            var ys = kept.Select(p => Math.Log10(p.V)).ToArray();
            lo = Math.Min(lo, ys.Min()); hi = Math.Max(hi, ys.Max());
            var (color, pattern, shape) = Style(i);
            var line = plot.Add.Scatter(xs, ys, color);
            line.LinePattern = pattern;
            line.LineWidth = 1.5f;
            line.MarkerShape = shape;
            line.MarkerSize = 6;
            AddLegendItem(plot, label, i++, 1.5f);
        }
        var ticks = new ScottPlot.TickGenerators.NumericAutomatic {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => $"1e{y:0}",
        };
        plot.Axes.Left.TickGenerator = ticks;
        if (double.IsFinite(lo)) plot.Axes.SetLimitsY(lo - (hi - lo) * 0.03 - 0.05, hi + (hi - lo) * 0.03 + 0.05);
        plot.Axes.Margins(horizontal: 0.02);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, Width + 200, Height + 60);
    }
}
