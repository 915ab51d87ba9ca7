// The same experiment in TorchSharp through the demo's MnistCnn (dropout off by eval mode) and Trainer.MakeOptimizer.
using MnistDemo;
using TorchSharp;
using static TorchSharp.torch;
torch.set_num_threads(1);
string d = args[0], w = args[1]; int steps = int.Parse(args[2]);
using var data = MnistLoader.Load(d);
using var m = new MnistCnn("relu", builtin: args.Length > 3);
foreach (var (name, p) in m.named_parameters()) {
    var raw = File.ReadAllBytes(Path.Combine(w, name + ".bin"));
    var f = new float[raw.Length / 4]; Buffer.BlockCopy(raw, 0, f, 0, raw.Length);
    using (torch.no_grad()) p.copy_(torch.tensor(f).reshape(p.shape));
}
m.eval();
var opt = Trainer.MakeOptimizer("adadelta", m, 1.0);
for (int i = 0; i < steps; i++) {
    using var scope = torch.NewDisposeScope();
    var (x, y) = data.Train.Slice(i * 64, 64);
    Console.WriteLine($"{i + 1} {Trainer.Step(m, opt, x, y).item<float>():F7}");
}
