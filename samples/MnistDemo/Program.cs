// Placeholder until the MNIST demo lands: runs one activation forward and backward.
using TorchActivations;
using TorchSharp;

var x = torch.linspace(-3, 3, 7, requires_grad: true);
var y = Activations.Create(args.Length > 0 ? args[0] : "relu").call(x);
y.sum().backward();
Console.WriteLine($"y  = [{string.Join(", ", y.data<float>().ToArray())}]");
Console.WriteLine($"dy = [{string.Join(", ", x.grad!.data<float>().ToArray())}]");
