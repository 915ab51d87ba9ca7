using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests.Reliability;

/// <summary>
/// Weights move freely between the package's modules and TorchSharp's: a PReLU state dict or file
/// loads into torch.nn.PReLU and back, and a Sequential using the package's activations saves and loads
/// (also into the same architecture built from TorchSharp's activations) with identical outputs.
/// </summary>
public sealed class InterchangeTests : IDisposable
{
    readonly string directory = Directory.CreateTempSubdirectory("torchactivations-interchange-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    string PathFor(string name) => System.IO.Path.Combine(directory, name);

    const long C = 5;

    static Tensor Input(int seed) => torch.randn([4, C, 3], generator: new Generator((ulong)seed));

    static void Randomize(nn.Module module, int seed)
    {
        var g = new Generator((ulong)seed);
        using (torch.no_grad())
            foreach (var p in module.parameters()) p.copy_(torch.rand(p.shape, generator: g));
    }

    [Fact]
    public void PReLU_state_dict_loads_into_the_builtin_and_back()
    {
        var ours = Activations.PReLU(num_parameters: C);
        Randomize(ours, 1);
        var builtin = nn.PReLU(C);
        Assert.Equal(ours.state_dict().Keys.Order(), builtin.state_dict().Keys.Order());

        var (missing, unexpected) = builtin.load_state_dict(ours.state_dict());
        Assert.Empty(missing);
        Assert.Empty(unexpected);
        Assert.Equal(TensorAssert.Values(ours.weight), TensorAssert.Values(builtin.weight!));
        var x = Input(2);
        Assert.Equal(TensorAssert.Values(builtin.call(x)), TensorAssert.Values(ours.call(x)));

        Randomize(builtin, 3);
        var back = Activations.PReLU(num_parameters: C);
        back.load_state_dict(builtin.state_dict());
        Assert.Equal(TensorAssert.Values(builtin.weight!), TensorAssert.Values(back.weight));
        Assert.Equal(TensorAssert.Values(builtin.call(x)), TensorAssert.Values(back.call(x)));
    }

    [Fact]
    public void PReLU_saved_to_a_file_loads_into_the_builtin_and_back()
    {
        var ours = Activations.PReLU(num_parameters: C);
        Randomize(ours, 4);
        ours.save(PathFor("ours.dat"));
        var builtin = nn.PReLU(C);
        builtin.load(PathFor("ours.dat"));
        Assert.Equal(TensorAssert.Values(ours.weight), TensorAssert.Values(builtin.weight!));

        Randomize(builtin, 5);
        builtin.save(PathFor("builtin.dat"));
        var back = Activations.PReLU(num_parameters: C);
        back.load(PathFor("builtin.dat"));
        Assert.Equal(TensorAssert.Values(builtin.weight!), TensorAssert.Values(back.weight));

        // The loaded weight is still a trainable parameter registered under "weight".
        var x = Input(6);
        back.call(x).sum().backward();
        Assert.NotNull(back.weight.grad);
        Assert.Single(back.parameters());
    }

    [Fact]
    public void PReLU_with_a_different_size_is_rejected_by_a_strict_load()
    {
        var ours = Activations.PReLU(num_parameters: C);
        ours.save(PathFor("five.dat"));
        var other = nn.PReLU(C + 1);
        var error = Record.Exception(() => other.load(PathFor("five.dat")));
        Assert.NotNull(error);
    }

    static nn.Module<Tensor, Tensor> OurModel() => nn.Sequential(
        ("fc1", nn.Linear(C * 3, 16)),
        ("act1", Activations.ELU(alpha: 0.5)),
        ("fc2", nn.Linear(16, 16)),
        ("act2", Activations.PReLU(num_parameters: 16)),
        ("fc3", nn.Linear(16, 16)),
        ("act3", Activations.GELU()),
        ("fc4", nn.Linear(16, 8)),
        ("act4", Activations.Softplus(beta: 2)),
        ("fc5", nn.Linear(8, 4)),
        ("out", Activations.LogSoftmax(dim: 1)));

    static nn.Module<Tensor, Tensor> BuiltinModel() => nn.Sequential(
        ("fc1", nn.Linear(C * 3, 16)),
        ("act1", nn.ELU(alpha: 0.5)),
        ("fc2", nn.Linear(16, 16)),
        ("act2", nn.PReLU(16)),
        ("fc3", nn.Linear(16, 16)),
        ("act3", nn.GELU()),
        ("fc4", nn.Linear(16, 8)),
        ("act4", nn.Softplus(beta: 2)),
        ("fc5", nn.Linear(8, 4)),
        ("out", nn.LogSoftmax(dim: 1)));

    [Fact]
    public void Sequential_with_the_package_activations_saves_and_loads_with_identical_outputs()
    {
        var x = Input(7).reshape(4, C * 3);
        var model = OurModel();
        Randomize(model, 8);
        // Train a little so the PReLU slopes are not all equal.
        for (int i = 0; i < 3; i++) {
            model.zero_grad();
            model.call(x).sum().backward();
            using (torch.no_grad()) foreach (var p in model.parameters()) p.sub_(p.grad! * 0.1);
        }
        model.eval();
        var expected = TensorAssert.Values(model.call(x));
        model.save(PathFor("model.dat"));

        var loaded = OurModel();
        Randomize(loaded, 9);
        Assert.NotEqual(expected, TensorAssert.Values(loaded.call(x)));
        loaded.load(PathFor("model.dat"));
        loaded.eval();
        Assert.Equal(expected, TensorAssert.Values(loaded.call(x)));
        Assert.Equal(model.state_dict().Keys.Order(), loaded.state_dict().Keys.Order());
    }

    [Fact]
    public void A_model_saved_with_the_package_activations_loads_into_the_builtin_architecture_and_back()
    {
        var x = Input(10).reshape(4, C * 3);
        var ours = OurModel();
        Randomize(ours, 11);
        var builtin = BuiltinModel();
        Assert.Equal(ours.state_dict().Keys.Order(), builtin.state_dict().Keys.Order());

        ours.save(PathFor("ours-model.dat"));
        builtin.load(PathFor("ours-model.dat"));
        var (rtol, atol) = TensorAssert.Tolerance(ScalarType.Float32);
        TensorAssert.Close(TensorAssert.Values(ours.call(x)), TensorAssert.Values(builtin.call(x)), rtol, atol, "built-in model with the package's weights");

        Randomize(builtin, 12);
        builtin.save(PathFor("builtin-model.dat"));
        var back = OurModel();
        back.load(PathFor("builtin-model.dat"));
        TensorAssert.Close(TensorAssert.Values(builtin.call(x)), TensorAssert.Values(back.call(x)), rtol, atol, "package model with the built-in's weights");
        foreach (var (name, p) in builtin.named_parameters())
            Assert.Equal(TensorAssert.Values(p), TensorAssert.Values(back.get_parameter(name)!));
    }
}
