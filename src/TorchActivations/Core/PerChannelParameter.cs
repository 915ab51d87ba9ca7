using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Core;

/// <summary>
/// A learnable tensor with one value shared by all channels or one per channel (dim 1 of the input), as
/// PReLU's weight and Swish's beta: its checks, its creation and its gradient's reduction.
/// </summary>
internal static class PerChannelParameter
{
    /// <summary>Rejects a parameter that does not fit the input: shape, count, device or dtype.</summary>
    public static void Check(Tensor input, Tensor parameter, string name)
    {
        Guard.FloatingPoint(parameter, name);
        if (parameter.dim() > 1)
            throw new ArgumentException($"{name} must be 1-D (or 0-D with one element), not of shape [{string.Join(", ", parameter.shape)}].", name);
        long channels = input.dim() >= 2 ? input.size(1) : 1;
        if (parameter.numel() != 1 && parameter.numel() != channels)
            throw new ArgumentException(
                $"{name} has {parameter.numel()} elements; it must have 1 or as many as the input's channels (dim 1), which is {channels} here.", name);
        if (parameter.device_type != input.device_type || parameter.device_index != input.device_index)
            throw new ArgumentException($"{name} is on {parameter.device} but input is on {input.device}; move both to one device.", name);
        if (parameter.dtype != input.dtype)
            throw new ArgumentException($"{name} is {parameter.dtype} but input is {input.dtype}; they must have one dtype.", name);
    }

    /// <summary>The parameter's gradient from per-element contributions: summed over every dim but the channel dim.</summary>
    public static Tensor Gradient(Tensor perElement, Tensor parameter)
    {
        if (parameter.numel() == 1) return parameter.dim() == 0 ? perElement.sum() : perElement.sum().reshape(1);
        var otherDims = Enumerable.Range(0, (int)perElement.dim()).Where(d => d != 1).Select(d => (long)d).ToArray();
        return perElement.sum(otherDims).reshape(parameter.size(0));
    }

    /// <summary>A new learnable [num_parameters] tensor filled with <paramref name="init"/>, after checking the arguments.</summary>
    public static TorchSharp.Modules.Parameter Create(long num_parameters, double init, Device? device, ScalarType? dtype)
    {
        if (num_parameters < 1)
            throw new ArgumentOutOfRangeException(nameof(num_parameters), num_parameters, "num_parameters must be at least 1.");
        Guard.Finite(init, nameof(init));
        if (dtype is { } t && !torch.is_floating_point(torch.empty(0, dtype: t)))
            throw new ArgumentException($"dtype must be a floating-point type, not {t}.", nameof(dtype));
        using var initial = torch.full(num_parameters, init, dtype: dtype ?? torch.get_default_dtype(), device: device);
        return new TorchSharp.Modules.Parameter(initial);
    }
}
