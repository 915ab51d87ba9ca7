using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using TorchSharp;

namespace TrainingSoak;

/// <summary>How to start this tool as a child process: its app host, or the dotnet host with the tool's assembly.</summary>
internal sealed record ChildLauncher(string FileName, IReadOnlyList<string> LeadingArguments)
{
    public static ChildLauncher ForThisProcess()
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown; cannot start child processes.");
        return Path.GetFileNameWithoutExtension(path) == "dotnet" ? new(path, [typeof(ChildLauncher).Assembly.Location]) : new(path, []);
    }
}

/// <summary>Runs every variant in its own child process, one after the other, and writes the table.</summary>
internal static class Orchestrator
{
    const string ResultPrefix = "RESULT ";

    /// <summary>The variants in order: for each activation the built-in (where TorchSharp has one), then the package.</summary>
    public static IEnumerable<(string Activation, string Side)> Variants(SoakOptions options)
    {
        var names = options.Activations.Length > 0 ? options.Activations : TorchActivations.Activations.ElementwiseNames.ToArray();
        foreach (var name in names) {
            if (!TorchActivations.Activations.ElementwiseNames.Contains(name))
                throw new ArgumentException($"'{name}' is not an element-wise activation; use one of {string.Join(", ", TorchActivations.Activations.ElementwiseNames)}.", nameof(options));
            if (SoakRun.HasBuiltin(name)) yield return (name, "builtin");
            yield return (name, "package");
        }
    }

    public static string Run(SoakOptions options, ChildLauncher launcher, string command, TextWriter log)
    {
        var variants = Variants(options).ToArray();
        var results = new List<VariantResult>();
        var header = Header(options, command);
        if (options.Out is { } file && Path.GetDirectoryName(Path.GetFullPath(file)) is { } dir) Directory.CreateDirectory(dir);
        var table = Table.Render(header, results);
        foreach (var (activation, side) in variants) {
            results.Add(RunChild(launcher, options.ChildArguments(activation, side), $"{activation} {side}", log));
            table = Table.Render(header, results);
            // Rewritten after every variant, so a long run that is cut short still leaves the rows it finished.
            if (options.Out is not null) File.WriteAllText(options.Out, table);
        }
        return table;
    }

    static string Header(SoakOptions o, string command) => string.Create(CultureInfo.InvariantCulture,
        $"""
        Command: `{command}`

        The demo's CNN (conv 1→32 3×3, act, conv 32→64 3×3, act, max-pool 2, dropout 0.25, flatten, linear 9216→128, act, dropout 0.5, linear 128→10, log_softmax (the package's on the package side, as in the demo), nll_loss), Adam lr 1e-3, batch {o.BatchSize}, {(o.Data == "synthetic" ? "synthetic random batches" : "MNIST training batches in file order")}; {o.Steps} steps per variant, {o.Threads} torch thread(s), {(o.NoScope ? "no dispose scope around the step" : "one dispose scope per step")}. Each variant runs in its own process, with no MALLOC_* or GLIBC_TUNABLES variable and no forced garbage collection; allocator tuning (NativeAllocator.TuneForTensors) {(o.AllocatorTuning ? "on" : "off: glibc's defaults")}. Peak RSS is VmHWM at the end; the trend is the least-squares slope of RSS over the second half of the steps after warm-up (step {o.Warmup}); ms/step and page faults/step (minflt) are averages after warm-up. A variant is GROWING when its trend exceeds {Trend.GrowingSlopeMBPer100} MB/100 steps and it ends more than {Trend.GrowingNetMB} MB above its RSS after warm-up; the package's peak is compared with the built-in's (limit {Trend.PeakRatioLimit:F2}×). Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, TorchSharp {typeof(torch).Assembly.GetName().Version?.ToString(3)}.
        """);

    static VariantResult RunChild(ChildLauncher launcher, IEnumerable<string> arguments, string label, TextWriter log)
    {
        var start = new ProcessStartInfo(launcher.FileName) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in launcher.LeadingArguments.Concat(arguments)) start.ArgumentList.Add(a);
        // The environment a user's program starts with: allocator settings would hide what is measured.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MALLOC_", StringComparison.Ordinal) || k == "GLIBC_TUNABLES").ToArray())
            start.Environment.Remove(key);
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"could not start {launcher.FileName}.");
        VariantResult? result = null;
        string? line;
        while ((line = child.StandardOutput.ReadLine()) is not null) {
            if (line.StartsWith(ResultPrefix, StringComparison.Ordinal)) result = VariantResult.Deserialize(line[ResultPrefix.Length..]);
            else log.WriteLine($"[{label}] {line}");
        }
        child.WaitForExit();
        if (child.ExitCode != 0 || result is null)
            throw new InvalidOperationException($"the {label} run failed (exit code {child.ExitCode}{(result is null ? ", no result line" : "")}).");
        return result;
    }

    /// <summary>The child's side: run one variant and print its result line.</summary>
    public static void RunVariant(SoakOptions options, TextWriter output)
    {
        var result = SoakRun.Run(options.Activations[0], options.Side!, options, output);
        output.WriteLine(ResultPrefix + result.Serialize());
    }
}
