using System.Collections;
using System.Globalization;
using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests.Reliability;

/// <summary>
/// A short version of tools/Soak (which runs 3000+ steps with a built-in baseline; see docs/reliability.md):
/// 300 training steps cycling every element-wise activation plus PReLU, one dispose scope per step.
/// Exact checks: the live-tensor count of the thread and the number of TorchSharp custom-autograd nodes
/// still alive do not grow after warm-up. Generous check: resident memory grows by less than 100 MB.
/// </summary>
[Collection(nameof(SerialReliability))]
public class SoakTests(Xunit.Abstractions.ITestOutputHelper output)
{
    const int Steps = 300, Warmup = 60;
    const long Features = 32, Hidden = 48, Classes = 6, Batch = 32;

    static double RssMB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:"))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        throw new InvalidOperationException("no VmRSS in /proc/self/status");
    }

    /// <summary>How many custom-autograd nodes TorchSharp keeps alive (its private Node.AliveNodes list).</summary>
    static int AliveAutogradNodes()
    {
        var node = typeof(torch.autograd).GetNestedType("Node", BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("TorchSharp's autograd Node type not found");
        var field = node.GetField("AliveNodes", BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException("TorchSharp's Node.AliveNodes not found");
        var list = (ICollection)field.GetValue(null)!;
        lock (list) return list.Count;
    }

    static nn.Module<Tensor, Tensor> Activation(string name) => Activations.Create(name switch {
        "threshold" => "threshold(threshold=0.1, value=0)",
        "prelu" => $"prelu(num_parameters={Hidden})",
        _ => name,
    });

    [Fact]
    public void Training_loop_does_not_leak_tensors_autograd_nodes_or_memory()
    {
        var g = new Generator(3);
        var fc1 = nn.Linear(Features, Hidden);
        var fc2 = nn.Linear(Hidden, Classes);
        var activations = Activations.ElementwiseNames.Select(Activation).ToArray();
        var prelu = Activations.PReLU(Hidden);
        var parameters = new nn.Module[] { fc1, fc2, prelu }.Concat(activations).SelectMany(m => m.parameters()).ToArray();
        var optimizer = torch.optim.SGD(parameters, 0.01);

        long liveAtWarmup = 0;
        int nodesAtWarmup = 0;
        double rssAtWarmup = 0;
        var nodeCounts = new List<int>();
        for (int step = 1; step <= Steps; step++) {
            using (var scope = torch.NewDisposeScope()) {
                var x = torch.randn([Batch, Features], generator: g);
                var labels = torch.randint(0, Classes, [Batch], generator: g);
                var h = prelu.call(activations[step % activations.Length].call(fc1.call(x)));
                var loss = nn.functional.nll_loss(Functional.log_softmax(fc2.call(h), 1), labels);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                Assert.True(double.IsFinite(loss.item<float>()), $"step {step}: loss is not finite");
            }
            // Sampled after warm-up only: before the collection at warm-up, graphs of earlier tests' undisposed tensors may still be alive.
            if (step > Warmup && step % 20 == 0) nodeCounts.Add(AliveAutogradNodes());
            if (step == Warmup) {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                liveAtWarmup = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
                nodesAtWarmup = AliveAutogradNodes();
                rssAtWarmup = RssMB();
            }
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long liveAtEnd = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        int nodesAtEnd = AliveAutogradNodes();
        double rssAtEnd = RssMB();

        output.WriteLine($"after warm-up ({Warmup} steps): {liveAtWarmup} live tensors, {nodesAtWarmup} custom autograd nodes, RSS {rssAtWarmup:F1} MB");
        output.WriteLine($"after {Steps} steps: {liveAtEnd} live tensors, {nodesAtEnd} custom autograd nodes, RSS {rssAtEnd:F1} MB; node samples every 20 steps after warm-up: {string.Join(", ", nodeCounts)}");
        Assert.True(liveAtEnd <= liveAtWarmup, $"live tensors on this thread grew from {liveAtWarmup} after warm-up to {liveAtEnd} after {Steps} steps.");
        // Every step creates 2 custom nodes (activation + PReLU, 3 with the log_softmax); none may outlive its step.
        Assert.True(nodesAtEnd <= nodesAtWarmup, $"alive custom autograd nodes grew from {nodesAtWarmup} to {nodesAtEnd}; samples: {string.Join(", ", nodeCounts)}.");
        Assert.True(nodeCounts.Max() < 50, $"custom autograd nodes accumulate: {string.Join(", ", nodeCounts)}.");
        Assert.True(rssAtEnd - rssAtWarmup < 100, $"resident memory grew from {rssAtWarmup:F1} MB to {rssAtEnd:F1} MB in {Steps - Warmup} steps.");
    }
}
