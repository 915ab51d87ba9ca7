using TrainingSoak;

namespace TrainingSoak.Tests;

public class VerdictTests
{
    static (int Step, double MB)[] Series(int from, int to, Func<int, double> mb) =>
        Enumerable.Range(from, to - from + 1).Select(s => (s, mb(s))).ToArray();

    static VariantResult Result(string side, (int Step, double MB)[] rss, double peak) =>
        new("mish", side, rss[^1].Step, rss[^1].Step, peak, rss[0].MB, rss[^1].MB, Trend.SecondHalfSlopePer100(rss), 100, 10, 2.3, 0.5, Stopped: false);

    [Fact]
    public void The_slope_of_a_straight_line_is_its_rise_per_100_steps()
    {
        // 1500 MB + 3 MB per step: 300 MB per 100 steps, whatever the first half does.
        var rss = Series(30, 150, s => s < 90 ? 1000 : 1500 + 3.0 * s);
        Assert.Equal(300, Trend.SecondHalfSlopePer100(rss), 9);
    }

    [Fact]
    public void A_deliberately_growing_series_is_flagged_and_a_noisy_flat_one_is_not()
    {
        // Growing: 8 MB per step on top of a sawtooth, as the heap of a leaking activation looks.
        var growing = Result("package", Series(30, 150, s => 1400 + 8.0 * (s - 30) + (s % 7) * 5), peak: 2400);
        // Flat: the same sawtooth, plus one late jump of a single conv2 output (9.4 MB) that stays.
        var flat = Result("builtin", Series(30, 150, s => 1400 + (s % 7) * 5 + (s > 140 ? 9.4 : 0)), peak: 1450);

        Assert.True(growing.TrendMBPer100 > 700, $"slope {growing.TrendMBPer100}");
        Assert.True(growing.Growing);
        Assert.False(flat.Growing, $"slope {flat.TrendMBPer100}");
        Assert.Equal("flat", Trend.Verdict(flat, null));
        var verdict = Trend.Verdict(growing, flat);
        Assert.StartsWith("GROWING", verdict);
        Assert.Contains("peak 1.66× built-in (above 1.10×)", verdict);
    }

    [Fact]
    public void A_variant_stopped_at_the_memory_limit_is_growing()
    {
        var r = Result("package", Series(30, 60, _ => 4100), peak: 4100) with { Stopped = true, StepsRun = 60, Steps = 150 };
        Assert.True(r.Growing);
        Assert.StartsWith("GROWING (stopped at step 60", Trend.Verdict(r, null));
        // A peak ratio of two capped runs says nothing; the verdict gives the steps the built-in reached instead.
        var builtin = r with { Side = "builtin", StepsRun = 94 };
        Assert.Equal("GROWING (stopped at step 60, --max-rss-mb), peaks not comparable (built-in stopped at step 94)", Trend.Verdict(r, builtin));
    }

    [Fact]
    public void A_package_peak_within_ten_percent_is_on_par()
    {
        var rss = Series(30, 150, _ => 1500);
        Assert.Equal("flat, peak 1.05× built-in", Trend.Verdict(Result("package", rss, 1575), Result("builtin", rss, 1500)));
    }

    [Fact]
    public void Too_few_samples_for_a_trend_name_the_argument()
    {
        var e = Assert.Throws<ArgumentException>(() => Trend.SecondHalfSlopePer100(Series(1, 3, _ => 1)));
        Assert.Equal("samples", e.ParamName);
    }

    [Fact]
    public void Allocator_tuning_is_off_unless_asked_and_reaches_the_children()
    {
        Assert.False(SoakOptions.Parse([]).AllocatorTuning);
        var on = SoakOptions.Parse(["--allocator-tuning", "on"]);
        Assert.True(on.AllocatorTuning);
        Assert.Contains("--allocator-tuning on", string.Join(" ", on.ChildArguments("relu", "package")));
        Assert.False(SoakOptions.Parse(["--allocator-tuning", "on", "--allocator-tuning", "off"]).AllocatorTuning);
    }

    [Theory]
    [InlineData(new[] { "--steps", "3" }, "Steps")]
    [InlineData(new[] { "--warmup", "300" }, "Warmup")]
    [InlineData(new[] { "--threads", "0" }, "Threads")]
    [InlineData(new[] { "--steps", "many" }, "args")]
    [InlineData(new[] { "--frobnicate" }, "args")]
    [InlineData(new[] { "--allocator-tuning", "yes" }, "args")]
    public void Bad_options_name_what_is_wrong(string[] args, string param)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => SoakOptions.Parse(args));
        Assert.Equal(param, e.ParamName);
    }
}
