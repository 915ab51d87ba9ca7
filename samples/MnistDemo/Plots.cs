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

    /// <summary>One smoothed loss-vs-step line per activation.</summary>
    public static void LossCurves(string path, string title, IReadOnlyList<(string Label, double[] Steps, double[] Loss)> series)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category20();
        int i = 0;
        foreach (var (label, steps, loss) in series) {
            var line = plot.Add.ScatterLine(steps, Smooth(loss, WindowFor(loss.Length)));
            line.LegendText = label;
            // Category20 pairs a dark and a light shade; the light ones are dashed so neighbours stay apart.
            line.LinePattern = i % 2 == 1 ? LinePattern.Dashed : LinePattern.Solid;
            line.Color = palette.GetColor(i++);
            line.LineWidth = 1.5f;
        }
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("NLL loss (moving average)");
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, Width + 200, Height);
    }

    /// <summary>Bars with error bars, one per label (e.g. accuracy mean ± std over seeds).</summary>
    public static void BarsWithErrors(string path, string title, string yLabel, IReadOnlyList<(string Label, double Mean, double Std)> items,
        double? yMax = null, double? chance = null)
    {
        var plot = new Plot();
        var bars = items.Select((it, i) => new Bar {
            Position = i, Value = it.Mean, Error = it.Std, FillColor = Colors.SteelBlue, Label = it.Mean.ToString("F1", System.Globalization.CultureInfo.InvariantCulture),
        }).ToList();
        plot.Add.Bars(bars);
        if (chance is { } c) {
            var line = plot.Add.HorizontalLine(c);
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Red;
            yLabel += $" (dashed: chance, {c:0}%)";
        }
        plot.Axes.Bottom.SetTicks(items.Select((_, i) => (double)i).ToArray(), items.Select(it => it.Label).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 160;
        plot.Axes.Margins(bottom: 0);
        if (yMax is { } max) plot.Axes.SetLimitsY(0, max);
        plot.Title(title);
        plot.YLabel(yLabel);
        plot.SavePng(path, Width, Height + 60);
    }

    /// <summary>Per-layer values on a log10 y axis, one line per series (the gradient-flow plot).</summary>
    public static void LogLines(string path, string title, string xLabel, string yLabel, IReadOnlyList<(string Label, double[] Values)> series)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category20();
        int i = 0;
        foreach (var (label, values) in series) {
            // Zero norms (no gradient at all, e.g. heaviside) have no logarithm: those points are left out.
            var kept = values.Select((v, k) => (X: k + 1.0, V: v)).Where(p => p.V > 0 && double.IsFinite(p.V)).ToArray();
            if (kept.Length == 0) continue;
            var xs = kept.Select(p => p.X).ToArray();
            var ys = kept.Select(p => Math.Log10(p.V)).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = label;
            line.LinePattern = i % 2 == 1 ? LinePattern.Dashed : LinePattern.Solid;
            line.Color = palette.GetColor(i++);
            line.MarkerSize = 4;
        }
        var ticks = new ScottPlot.TickGenerators.NumericAutomatic {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => $"1e{y:0}",
        };
        plot.Axes.Left.TickGenerator = ticks;
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, Width + 200, Height);
    }
}
