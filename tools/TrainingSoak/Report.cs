using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TrainingSoak;

/// <summary>What one variant's child process measured. RSS figures are MB; the trend is MB per 100 steps.</summary>
internal sealed record VariantResult(string Activation, string Side, int Steps, int StepsRun, double PeakRssMB, double RssWarmupMB, double RssEndMB,
    double TrendMBPer100, double MsPerStep, double FaultsPerStep, double LossFirst, double LossLast, bool Stopped)
{
    public string Serialize() => JsonSerializer.Serialize(this);

    public static VariantResult Deserialize(string json) =>
        JsonSerializer.Deserialize<VariantResult>(json) ?? throw new FormatException("empty result line");

    public bool Growing => Trend.IsGrowing(this);
}

/// <summary>The verdict: flat or growing, and the package's peak against the built-in's.</summary>
internal static class Trend
{
    /// <summary>A variant grows when RSS rises by more than this many MB per 100 steps over the second half of the measured steps...</summary>
    public const double GrowingSlopeMBPer100 = 10;

    /// <summary>...and ends this many MB above its level after warm-up (one late jump of a single allocation is not a trend).</summary>
    public const double GrowingNetMB = 50;

    /// <summary>The package's peak RSS is on a par with the built-in's up to this ratio.</summary>
    public const double PeakRatioLimit = 1.10;

    /// <summary>Least-squares slope of the second half of the samples, in MB per 100 steps.</summary>
    public static double SecondHalfSlopePer100(IReadOnlyList<(int Step, double MB)> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count < 4) throw new ArgumentException($"a trend needs at least 4 samples, got {samples.Count}.", nameof(samples));
        var half = samples.Skip(samples.Count / 2).ToArray();
        double mx = half.Average(p => p.Step), my = half.Average(p => p.MB);
        double sxy = half.Sum(p => (p.Step - mx) * (p.MB - my)), sxx = half.Sum(p => (p.Step - mx) * (p.Step - mx));
        return sxx == 0 ? 0 : sxy / sxx * 100;
    }

    public static bool IsGrowing(VariantResult r) =>
        r.Stopped || (r.TrendMBPer100 > GrowingSlopeMBPer100 && r.RssEndMB - r.RssWarmupMB > GrowingNetMB);

    public static string Verdict(VariantResult r, VariantResult? builtin)
    {
        var trend = r.Stopped ? $"GROWING (stopped at step {r.StepsRun}, --max-rss-mb)" : r.Growing ? "GROWING" : "flat";
        if (r.Side != "package") return trend;
        if (builtin is null) return trend + ", no built-in";
        // Both peaks would read as the limit; the steps each side reached before it are the comparison then.
        if (r.Stopped || builtin.Stopped)
            return $"{trend}, peaks not comparable (built-in {(builtin.Stopped ? $"stopped at step {builtin.StepsRun}" : $"ran all {builtin.StepsRun} steps")})";
        double ratio = r.PeakRssMB / builtin.PeakRssMB;
        return string.Create(CultureInfo.InvariantCulture, $"{trend}, peak {ratio:F2}× built-in{(ratio > PeakRatioLimit ? $" (above {PeakRatioLimit:F2}×)" : "")}");
    }
}

/// <summary>The markdown table of a soak, and a reader for it (the tests check what the tool writes).</summary>
internal static class Table
{
    public static readonly string[] Columns = ["activation", "side", "steps", "peak RSS MB", "RSS after warm-up MB", "RSS end MB",
        "trend MB/100 steps", "ms/step", "faults/step", "loss first→last", "verdict"];

    public static string Render(string header, IReadOnlyList<VariantResult> results)
    {
        var s = new StringBuilder(header);
        s.AppendLine().AppendLine();
        s.AppendLine("| " + string.Join(" | ", Columns) + " |");
        s.AppendLine("|" + string.Join("|", Columns.Select((_, i) => i < 2 || i == Columns.Length - 1 ? "---" : "---:")) + "|");
        foreach (var r in results) {
            var builtin = results.FirstOrDefault(b => b.Activation == r.Activation && b.Side == "builtin");
            string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
            s.AppendLine("| " + string.Join(" | ", r.Activation, r.Side == "builtin" ? "built-in" : "package", $"{r.StepsRun}", F(r.PeakRssMB, "F0"),
                F(r.RssWarmupMB, "F0"), F(r.RssEndMB, "F0"), F(r.TrendMBPer100, "+0.0;-0.0;0.0"), F(r.MsPerStep, "F1"), F(r.FaultsPerStep, "F0"),
                $"{F(r.LossFirst, "F3")}→{F(r.LossLast, "F3")}", Trend.Verdict(r, builtin)) + " |");
        }
        return s.ToString();
    }

    /// <summary>The rows of the first markdown table in the text, as column name → cell.</summary>
    public static List<Dictionary<string, string>> Parse(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var lines = markdown.Split('\n').Select(l => l.Trim()).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).ToArray();
        if (lines.Length < 2) throw new FormatException("no markdown table (a header row and a separator row) in the text.");
        static string[] Cells(string line) => line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
        var header = Cells(lines[0]);
        var rows = new List<Dictionary<string, string>>();
        foreach (var line in lines.Skip(2)) {
            var cells = Cells(line);
            if (cells.Length != header.Length) throw new FormatException($"row has {cells.Length} cells, the header {header.Length}: {line}");
            rows.Add(header.Zip(cells).ToDictionary(p => p.First, p => p.Second));
        }
        return rows;
    }
}
