using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TorchActivations.Benchmarks;

/// <summary>
/// The classic small MNIST CNN (conv 1→32 3×3, act, conv 32→64 3×3, act, max-pool 2, linear 9216→128, act,
/// linear 128→10, log-softmax, NLL loss) trained by SGD on random 28×28 images, batch 64. The two models
/// differ only in their activations and log-softmax (the package's or the built-ins) and start from the
/// same weights.
/// </summary>
static class Cnn
{
    sealed class Net : Module<Tensor, Tensor>
    {
        readonly Module<Tensor, Tensor> conv1 = Conv2d(1, 32, 3), conv2 = Conv2d(32, 64, 3);
        readonly Module<Tensor, Tensor> fc1 = Linear(9216, 128), fc2 = Linear(128, 10);
        readonly Module<Tensor, Tensor> pool = MaxPool2d(2);
        readonly Module<Tensor, Tensor> act1, act2, act3;
        readonly Func<Tensor, Tensor> logSoftmax;

        public Net(Func<Module<Tensor, Tensor>> activation, Func<Tensor, Tensor> logSoftmax) : base("MnistCnn")
        {
            (act1, act2, act3) = (activation(), activation(), activation());
            this.logSoftmax = logSoftmax;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            x = act1.call(conv1.call(x));
            x = pool.call(act2.call(conv2.call(x)));
            x = act3.call(fc1.call(x.flatten(1)));
            return logSoftmax(fc2.call(x));
        }
    }

    public static PairResult Compare(string activation, int rounds, double batchMilliseconds, string variant = "both")
    {
        torch.manual_seed(7);
        Func<Module<Tensor, Tensor>> oursActivation = variant == "log_softmax" ? () => BuiltinModule(activation) : () => Activations.Create(activation);
        Func<Tensor, Tensor> oursLogSoftmax = variant == "activation" ? x => nn.functional.log_softmax(x, 1) : x => Functional.log_softmax(x, 1);
        var ours = new Net(oursActivation, oursLogSoftmax);
        var builtin = new Net(() => BuiltinModule(activation), x => nn.functional.log_softmax(x, 1));
        builtin.load_state_dict(ours.state_dict());

        var images = torch.randn(64, 1, 28, 28);
        var labels = torch.randint(0, 10, [64], dtype: ScalarType.Int64);
        var optOurs = torch.optim.SGD(ours.parameters(), 0.01);
        var optBuiltin = torch.optim.SGD(builtin.parameters(), 0.01);

        Action Step(Net net, torch.optim.Optimizer opt) => () => {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            var loss = nn.functional.nll_loss(net.call(images), labels);
            loss.backward();
            opt.step();
        };
        return Timing.Compare(Step(ours, optOurs), Step(builtin, optBuiltin), rounds, batchMilliseconds, warmupMilliseconds: 4 * batchMilliseconds);
    }

    static Module<Tensor, Tensor> BuiltinModule(string activation) => Activations.CreateBuiltin(activation);
}
