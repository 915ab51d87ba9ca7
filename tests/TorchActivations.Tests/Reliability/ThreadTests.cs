using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests.Reliability;

/// <summary>
/// Four threads, each training its own small model built from the package's activations, give bitwise the
/// same losses, outputs and parameters as the same four runs one after another; no crash, no deadlock.
/// The activations' definitions (e.g. ReLU's single instance) and TorchSharp's one autograd-function
/// instance are shared by all threads.
/// </summary>
[Collection(nameof(SerialReliability))]
public class ThreadTests
{
    static readonly string[][] ActivationSets = [
        ["relu", "gelu", "elu(alpha=0.5)", "sigmoid"],
        ["leaky_relu(negative_slope=0.2)", "tanh", "softplus(beta=2)", "selu"],
        ["celu(alpha=2)", "softsign", "tanhshrink", "logsigmoid"],
        ["relu6", "hardtanh", "softshrink", "gelu(approximate=tanh)"],
    ];

    const int Steps = 25;
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>Deterministic parameters from a seed, so each run starts from the same model.</summary>
    static nn.Module<Tensor, Tensor> Model(int worker)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long width = 24;
        foreach (var spec in ActivationSets[worker]) {
            layers.Add(nn.Linear(width, width, dtype: ScalarType.Float64));
            layers.Add(Activations.Create(spec));
        }
        layers.Add(Activations.PReLU(width, dtype: ScalarType.Float64));
        layers.Add(Activations.RReLU(generator: new Generator((ulong)(100 + worker))));
        layers.Add(nn.Linear(width, 5, dtype: ScalarType.Float64));
        var model = nn.Sequential(layers);
        var g = new Generator((ulong)(10 + worker));
        using (torch.no_grad())
            foreach (var p in model.parameters())
                p.copy_(torch.randn(p.shape, dtype: ScalarType.Float64, generator: g) * 0.3);
        return model;
    }

    sealed record Run(double[] Losses, double[] Output, double[][] Parameters, double[][] Gradients);

    static Run Train(int worker)
    {
        var model = Model(worker);
        var g = new Generator((ulong)(1000 + worker));
        var x = torch.randn([32, 24], dtype: ScalarType.Float64, generator: g);
        var labels = torch.randint(0, 5, [32], generator: g);
        var losses = new double[Steps];
        for (int step = 0; step < Steps; step++) {
            using var scope = torch.NewDisposeScope();
            model.zero_grad();
            var logits = model.call(x);
            var loss = nn.functional.nll_loss(Functional.log_softmax(logits, 1), labels);
            loss.backward();
            losses[step] = loss.item<double>();
            using (torch.no_grad())
                foreach (var p in model.parameters())
                    p.sub_(p.grad! * 0.05);
        }
        model.eval();
        double[] output;
        using (torch.no_grad()) output = TensorAssert.Values(Functional.softmax(model.call(x), 1));
        return new(losses, output,
            model.parameters().Select(p => TensorAssert.Values(p)).ToArray(),
            model.parameters().Select(p => TensorAssert.Values(p.grad!)).ToArray());
    }

    static void AssertIdentical(Run expected, Run actual, int worker)
    {
        Assert.True(expected.Losses.SequenceEqual(actual.Losses), $"worker {worker}: losses differ between threaded and serial runs.");
        Assert.True(expected.Output.SequenceEqual(actual.Output), $"worker {worker}: outputs differ.");
        for (int i = 0; i < expected.Parameters.Length; i++) {
            Assert.True(expected.Parameters[i].SequenceEqual(actual.Parameters[i]), $"worker {worker}: parameter {i} differs.");
            Assert.True(expected.Gradients[i].SequenceEqual(actual.Gradients[i]), $"worker {worker}: gradient {i} differs.");
        }
    }

    /// <summary>Runs work(0..count-1) on dedicated threads; fails on a timeout (deadlock) and rethrows any thread's exception.</summary>
    static T[] OnThreads<T>(int count, Func<int, T> work)
    {
        var results = new T[count];
        var errors = new Exception?[count];
        var threads = Enumerable.Range(0, count).Select(i => new Thread(() => {
            try { results[i] = work(i); } catch (Exception e) { errors[i] = e; }
        }) { IsBackground = true, Name = $"reliability worker {i}" }).ToArray();
        foreach (var t in threads) t.Start();
        var deadline = DateTime.UtcNow + Timeout;
        foreach (var t in threads)
            Assert.True(t.Join(Max(deadline - DateTime.UtcNow, TimeSpan.Zero)), $"a worker did not finish within {Timeout} (deadlock?).");
        foreach (var e in errors)
            if (e is not null) throw new Exception("a worker thread failed", e);
        return results;
    }

    static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [Fact]
    public void Four_threads_train_bitwise_like_four_serial_runs()
    {
        var serial = Enumerable.Range(0, 4).Select(Train).ToArray();
        Assert.All(serial, r => Assert.True(r.Losses[^1] < r.Losses[0], "training should lower the loss"));
        Assert.All(serial, r => Assert.All(r.Losses, l => Assert.True(double.IsFinite(l))));

        for (int round = 0; round < 2; round++) {
            var threaded = OnThreads(4, Train);
            for (int w = 0; w < 4; w++) AssertIdentical(serial[w], threaded[w], w);
        }
    }

    /// <summary>All threads hammer the same activation modules (shared definitions, shared module objects).</summary>
    [Fact]
    public void Threads_sharing_one_module_instance_get_the_serial_results()
    {
        // softmax2d needs a 3-D or 4-D input; learnable parameters (swish's beta) are made float64 like x.
        var modules = Activations.Names.Where(n => n is not ("prelu" or "rrelu" or "softmax2d"))
            .Select(n => Activations.Create(n switch {
                "threshold" => "threshold(threshold=0.1, value=-2)",
                "softmin" or "softmax" or "log_softmax" => $"{n}(dim=1)",
                _ => n,
            }).to(ScalarType.Float64)).ToArray();
        var prelu = Activations.PReLU(6, dtype: ScalarType.Float64);

        (double[] Y, double[] Dx)[] RunAll(int seed)
        {
            var result = new List<(double[], double[])>();
            var x = torch.randn([5, 6], dtype: ScalarType.Float64, generator: new Generator((ulong)seed));
            foreach (var m in modules.Append(prelu)) {
                using var scope = torch.NewDisposeScope();
                var leaf = x.clone().requires_grad_(true);
                var y = m.call(leaf);
                var dx = torch.autograd.grad([y], [leaf], [torch.ones_like(y)])[0];
                result.Add((TensorAssert.Values(y), TensorAssert.Values(dx)));
            }
            return result.ToArray();
        }

        var seeds = Enumerable.Range(0, 4 * 8).ToArray();
        var expected = seeds.Select(RunAll).ToArray();
        var threaded = OnThreads(4, t => seeds.Where(s => s % 4 == t).Select(s => (s, RunAll(s))).ToArray());
        foreach (var (seed, runs) in threaded.SelectMany(r => r))
            for (int i = 0; i < runs.Length; i++) {
                Assert.True(expected[seed][i].Y.SequenceEqual(runs[i].Y), $"seed {seed}, module {i}: output differs");
                Assert.True(expected[seed][i].Dx.SequenceEqual(runs[i].Dx), $"seed {seed}, module {i}: gradient differs");
            }
    }
}

/// <summary>Tests that measure the process (memory, threads) run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(SerialReliability), DisableParallelization = true)]
public class SerialReliability { }
