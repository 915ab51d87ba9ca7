using System.Globalization;

namespace TrainingSoak;

/// <summary>The command line of the training soak; the same options go to every child process.</summary>
internal sealed record SoakOptions
{
    public int Steps { get; init; } = 300;
    public int Warmup { get; init; } = 50;
    public int Threads { get; init; } = 1;
    public bool NoScope { get; init; }
    /// <summary>Calls TorchActivations.NativeAllocator.TuneForTensors() in each child before its first tensor (off: glibc's defaults, what a user gets).</summary>
    public bool AllocatorTuning { get; init; }
    public int BatchSize { get; init; } = 64;
    /// <summary>A directory with the MNIST IDX files, or "synthetic" for random images and labels (for tests; no file needed).</summary>
    public string Data { get; init; } = Environment.GetEnvironmentVariable("MNIST_DIR") is { Length: > 0 } env ? env : Path.Combine(".", "data", "mnist");
    public string? Out { get; init; }
    /// <summary>A child whose resident memory passes this many MB stops early, so a growing variant cannot exhaust a shared machine.</summary>
    public double MaxRssMB { get; init; } = 8192;
    public string[] Activations { get; init; } = [];
    /// <summary>Set in a child process: "package" or "builtin" for the single activation it runs.</summary>
    public string? Side { get; init; }

    public const string Usage =
        "usage: TrainingSoak [--steps 300] [--warmup 50] [--activations relu,mish,...] [--threads 1] [--no-scope] " +
        "[--allocator-tuning on|off] [--batch-size 64] [--data DIR|synthetic] [--max-rss-mb 8192] [--out FILE.md]";

    public static SoakOptions Parse(string[] args)
    {
        var o = new SoakOptions();
        for (int i = 0; i < args.Length; i++) {
            string name = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value. {Usage}", nameof(args));
            int Int() {
                var text = Next();
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
                    : throw new ArgumentException($"{name} takes an integer, not '{text}'.", nameof(args));
            }
            o = name switch {
                "--steps" => o with { Steps = Int() },
                "--warmup" => o with { Warmup = Int() },
                "--threads" => o with { Threads = Int() },
                "--no-scope" => o with { NoScope = true },
                "--allocator-tuning" => o with { AllocatorTuning = Next() switch {
                    "on" => true,
                    "off" => false,
                    var v => throw new ArgumentException($"--allocator-tuning takes on or off, not '{v}'.", nameof(args)),
                } },
                "--batch-size" => o with { BatchSize = Int() },
                "--data" => o with { Data = Next() },
                "--out" => o with { Out = Next() },
                "--max-rss-mb" => o with { MaxRssMB = Int() },
                "--activations" => o with { Activations = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--side" => o with { Side = Next() },
                _ => throw new ArgumentException($"unknown option '{name}'. {Usage}", nameof(args)),
            };
        }
        o.Validate();
        return o;
    }

    void Validate()
    {
        if (Steps < 4) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "--steps must be at least 4 (a trend needs points after warm-up).");
        if (Warmup < 1 || Warmup >= Steps) throw new ArgumentOutOfRangeException(nameof(Warmup), Warmup, "--warmup must be at least 1 and below --steps.");
        if (Steps - Warmup < 4) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "--steps must exceed --warmup by at least 4.");
        if (Threads < 1) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "--threads must be at least 1.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "--batch-size must be at least 1.");
        if (MaxRssMB < 1) throw new ArgumentOutOfRangeException(nameof(MaxRssMB), MaxRssMB, "--max-rss-mb must be positive.");
        if (Side is not (null or "package" or "builtin")) throw new ArgumentException($"--side must be package or builtin, not '{Side}'.", nameof(Side));
        if (Side is not null && Activations.Length != 1) throw new ArgumentException("a child run (--side) takes exactly one activation.", nameof(Activations));
    }

    /// <summary>The arguments that make a child process run one variant with these options.</summary>
    public IEnumerable<string> ChildArguments(string activation, string side)
    {
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        string[] args = ["--side", side, "--activations", activation, "--steps", I(Steps), "--warmup", I(Warmup), "--threads", I(Threads),
                         "--allocator-tuning", AllocatorTuning ? "on" : "off",
                         "--batch-size", I(BatchSize), "--data", Data, "--max-rss-mb", ((int)MaxRssMB).ToString(CultureInfo.InvariantCulture)];
        return NoScope ? [.. args, "--no-scope"] : args;
    }
}
