namespace TorchActivations;

/// <summary>
/// Factories for the package's activation modules, named like <c>torch.nn</c>'s
/// (<c>Activations.ELU(alpha: 0.5)</c> where TorchSharp has <c>torch.nn.ELU(alpha: 0.5)</c>),
/// and the lookup by name (<see cref="Create"/>, <see cref="Names"/>).
/// </summary>
public static partial class Activations
{
}
