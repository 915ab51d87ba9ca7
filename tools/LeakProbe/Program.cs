// Repro for the memory growth of the package's Mish and Swish in the MNIST demo (see samples/MnistDemo/README.md,
// "Memory"): a random batch through conv1 -> activation [-> conv2 [-> activation]] -> sum -> backward, printing
// the resident set every 50 steps. Not in the solution; not a test (the growth is erratic from run to run).
//   dotnet run -c Release --project tools/LeakProbe -- mish 200 conv     (modes: one, conv, chain)
// Seen (1 thread): mish/conv 1,736 MB after 150 steps in one run, 355 -> 398 MB over 200 steps in another;
// gelu/conv 289 -> 300 MB; relu/conv 258 MB.
using TorchSharp;
using static TorchSharp.torch;
torch.set_num_threads(1);
string act = args[0]; int steps = int.Parse(args[1]); string mode = args.Length > 2 ? args[2] : "chain";
var m1 = TorchActivations.Activations.Create(act); var m2 = TorchActivations.Activations.Create(act);
var conv1 = nn.Conv2d(1, 32, 3); var conv2 = nn.Conv2d(32, 64, 3);
for (int i = 0; i < steps; i++) {
    using var scope = torch.NewDisposeScope();
    var x = torch.randn(64, 1, 28, 28);
    var h = m1.call(conv1.call(x));
    if (mode != "one") h = conv2.call(h);
    if (mode == "chain") h = m2.call(h);
    h.sum().backward();
    if (i % 50 == 49) Console.WriteLine($"{act} {mode} step {i + 1}: rss {Environment.WorkingSet / 1e6:F0} MB");
}
