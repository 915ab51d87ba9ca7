namespace TorchActivations;

/// <summary>
/// The activations as functions, named and parameterized like <c>torch.nn.functional</c>
/// (<c>Functional.leaky_relu(x, 0.2)</c> where TorchSharp has <c>torch.nn.functional.leaky_relu(x, 0.2)</c>).
/// Each runs the package's own forward formula and derivative through a custom autograd function.
/// </summary>
public static partial class Functional
{
}
