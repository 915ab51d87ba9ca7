using System.Diagnostics;
using MnistDemo;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TrainingSoak;

/// <summary>
/// The CNN of the demo (and of the PyTorch MNIST example) without any dispose scope of its own, so that the caller's
/// loop alone decides when the step's tensors are freed, as in a user's model.
/// </summary>
internal sealed class SoakCnn : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv1 = nn.Conv2d(1, 32, 3), conv2 = nn.Conv2d(32, 64, 3);
    readonly Linear fc1 = nn.Linear(9216, 128), fc2 = nn.Linear(128, 10);
    readonly MaxPool2d pool = nn.MaxPool2d(2);
    readonly Dropout dropout1 = nn.Dropout(0.25), dropout2 = nn.Dropout(0.5);
    readonly Flatten flatten = nn.Flatten();
    readonly nn.Module<Tensor, Tensor> act1, act2, act3, logSoftmax;

    public SoakCnn(string spec, bool builtin) : base(nameof(SoakCnn))
    {
        act1 = ActivationFactory.Make(spec, builtin);
        act2 = ActivationFactory.Make(spec, builtin);
        act3 = ActivationFactory.Make(spec, builtin);
        logSoftmax = builtin ? nn.LogSoftmax(1) : TorchActivations.Activations.LogSoftmax(dim: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = act2.call(conv2.call(act1.call(conv1.call(x))));
        h = flatten.call(dropout1.call(pool.call(h)));
        return logSoftmax.call(fc2.call(dropout2.call(act3.call(fc1.call(h)))));
    }
}

/// <summary>One variant (an activation, package or built-in) trained in this process; the measurements it yields.</summary>
internal static class SoakRun
{
    /// <summary>The spec the demo uses for a catalog name (threshold needs its required parameters).</summary>
    public static string Spec(string name) => ActivationFactory.RequiredParameterDefaults.TryGetValue(name, out var spec) ? spec : name;

    /// <summary>Whether TorchSharp has a built-in counterpart for the activation (the demo's mapping).</summary>
    public static bool HasBuiltin(string name)
    {
        try {
            ActivationFactory.Builtin(Spec(name)).Dispose();
            return true;
        } catch (ArgumentException) {
            return false;
        }
    }

    static MnistSplit LoadData(SoakOptions options)
    {
        if (options.Data == "synthetic") {
            var generator = new Generator(7);
            long n = options.BatchSize * 8L;
            return new MnistSplit(torch.randn([n, 1, 28, 28], generator: generator), torch.randint(0, 10, [n], generator: generator));
        }
        return MnistLoader.LoadSplit(options.Data, MnistLoader.TrainImages, MnistLoader.TrainLabels);
    }

    public static VariantResult Run(string activation, string side, SoakOptions options, TextWriter log)
    {
        if (options.AllocatorTuning) {
            var tuning = TorchActivations.NativeAllocator.TuneForTensors();
            // A run that requests the tuning and does not get it would measure something else under its name.
            if (!tuning.Applied) throw new InvalidOperationException($"--allocator-tuning on, but the allocator was not tuned: {tuning.Reason}.");
            log.WriteLine($"{activation} {side}: allocator tuned ({tuning.Reason}).");
        }
        torch.set_num_threads(options.Threads);
        torch.manual_seed(1);
        using var data = LoadData(options);
        long batches = data.Count / options.BatchSize;
        if (batches < 1) throw new ArgumentException($"--batch-size {options.BatchSize} is larger than the {data.Count} images.", nameof(options));
        using var model = new SoakCnn(Spec(activation), builtin: side == "builtin");
        model.train();
        using var optimizer = optim.Adam(model.parameters(), lr: 1e-3);

        var rss = new List<(int Step, double MB)>(options.Steps);
        double rssWarmup = 0, lossFirst = double.NaN, lossLast = double.NaN;
        long faultsWarmup = 0;
        var clock = new Stopwatch();
        int step = 0;
        bool stopped = false;
        while (step < options.Steps) {
            long start = step % batches * options.BatchSize;
            using var x = data.Images.narrow(0, start, options.BatchSize);
            using var y = data.Labels.narrow(0, start, options.BatchSize);
            float loss = options.NoScope ? Step(model, optimizer, x, y) : ScopedStep(model, optimizer, x, y);
            step++;
            if (step == 1) lossFirst = loss;
            lossLast = loss;
            double now = ProcStats.RssMB();
            rss.Add((step, now));
            if (step == options.Warmup) {
                rssWarmup = now;
                faultsWarmup = ProcStats.MinorFaults();
                clock.Start();
            }
            if (step % 50 == 0) log.WriteLine($"{activation} {side}: step {step}, loss {loss:F4}, RSS {now:F0} MB");
            if (now > options.MaxRssMB) {
                log.WriteLine($"{activation} {side}: RSS {now:F0} MB passed --max-rss-mb {options.MaxRssMB:F0} at step {step}; stopping this variant.");
                stopped = true;
                break;
            }
        }
        clock.Stop();
        int measured = Math.Max(step - options.Warmup, 0);
        long faults = ProcStats.MinorFaults() - faultsWarmup;
        return new VariantResult(activation, side, options.Steps, step, ProcStats.PeakRssMB(), step >= options.Warmup ? rssWarmup : double.NaN, rss[^1].MB,
            Trend.SecondHalfSlopePer100(rss.Where(s => s.Step >= options.Warmup).ToArray()),
            measured > 0 ? clock.Elapsed.TotalMilliseconds / measured : double.NaN,
            measured > 0 ? (double)faults / measured : double.NaN, lossFirst, lossLast, stopped);
    }

    /// <summary>The loop as most TorchSharp users write it: one dispose scope per step around forward, loss, backward and the optimizer step.</summary>
    static float ScopedStep(SoakCnn model, OptimizerHelper optimizer, Tensor x, Tensor y)
    {
        using var scope = torch.NewDisposeScope();
        return Step(model, optimizer, x, y);
    }

    /// <summary>The step itself; without a scope around it (--no-scope) its tensors are freed by their finalizers.</summary>
    static float Step(SoakCnn model, OptimizerHelper optimizer, Tensor x, Tensor y)
    {
        optimizer.zero_grad();
        var loss = nn.functional.nll_loss(model.call(x), y);
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }
}
