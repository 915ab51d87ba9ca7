using System.Diagnostics;

namespace TorchActivations.Benchmarks;

/// <summary>Median and quartiles of a sample.</summary>
readonly record struct Stats(double Median, double P25, double P75, double Min, double Max, int Count)
{
    public static Stats Of(IReadOnlyList<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        if (v.Length == 0) return new(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0);
        return new(Quantile(v, 0.5), Quantile(v, 0.25), Quantile(v, 0.75), v[0], v[^1], v.Length);
    }

    static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}

/// <summary>Result of an interleaved A/B comparison: per-call times of each side and per-round ratios A/B.</summary>
sealed record PairResult(Stats A, Stats B, Stats Ratio);

/// <summary>
/// Interleaved A/B timing: after a warm-up, each round times a batch of A calls and a batch of B calls
/// back to back (order alternating ABBA between rounds), so a burst of load from other processes hits
/// both sides of a round alike. The ratio is computed per round; medians and quartiles summarize rounds.
/// </summary>
static class Timing
{
    public static PairResult Compare(Action a, Action b, int rounds, double batchMilliseconds, double warmupMilliseconds)
    {
        double perA = Warm(a, warmupMilliseconds), perB = Warm(b, warmupMilliseconds);
        int ka = Math.Max(1, (int)(batchMilliseconds / Math.Max(perA, 1e-6)));
        int kb = Math.Max(1, (int)(batchMilliseconds / Math.Max(perB, 1e-6)));
        var ta = new List<double>(rounds);
        var tb = new List<double>(rounds);
        var ratio = new List<double>(rounds);
        for (int r = 0; r < rounds; r++) {
            double x, y;
            if (r % 2 == 0) { x = Batch(a, ka); y = Batch(b, kb); }
            else { y = Batch(b, kb); x = Batch(a, ka); }
            ta.Add(x); tb.Add(y); ratio.Add(x / y);
        }
        return new(Stats.Of(ta), Stats.Of(tb), Stats.Of(ratio));
    }

    /// <summary>Runs <paramref name="f"/> for about <paramref name="milliseconds"/> (at least 3 calls); returns ms per call.</summary>
    static double Warm(Action f, double milliseconds)
    {
        var sw = Stopwatch.StartNew();
        int n = 0;
        while (n < 3 || sw.Elapsed.TotalMilliseconds < milliseconds) { f(); n++; }
        // A second, shorter measurement after the JIT and allocator have settled.
        sw.Restart();
        int m = Math.Max(1, n / 2);
        for (int i = 0; i < m; i++) f();
        return sw.Elapsed.TotalMilliseconds / m;
    }

    /// <summary>Milliseconds per call over a batch of <paramref name="k"/> calls.</summary>
    static double Batch(Action f, int k)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < k; i++) f();
        return sw.Elapsed.TotalMilliseconds / k;
    }
}
