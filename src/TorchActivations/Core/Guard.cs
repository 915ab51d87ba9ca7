using System.Globalization;
using static TorchSharp.torch;

namespace TorchActivations.Core;

/// <summary>Argument checks shared by the definitions; every message names the argument and what it allows.</summary>
internal static class Guard
{
    public static void FloatingPoint(Tensor? tensor, string paramName)
    {
        ArgumentNullException.ThrowIfNull(tensor, paramName);
        if (tensor.IsInvalid)
            throw new ArgumentException($"{paramName} is a disposed tensor.", paramName);
        if (!tensor.is_floating_point())
            throw new ArgumentException(
                $"{paramName} must be a floating-point tensor (float16, bfloat16, float32 or float64), not {tensor.dtype}.", paramName);
    }

    public static double Finite(double value, string paramName)
    {
        if (!double.IsFinite(value))
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be a finite number.");
        return value;
    }

    public static double NotNaN(double value, string paramName)
    {
        if (double.IsNaN(value))
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must not be NaN.");
        return value;
    }

    public static double Positive(double value, string paramName)
    {
        if (!double.IsFinite(value) || value <= 0)
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be a finite number > 0.");
        return value;
    }

    public static double NonNegative(double value, string paramName)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be a finite number >= 0.");
        return value;
    }

    /// <summary>Wraps <paramref name="dim"/> into [0, rank) the way torch does (a 0-d tensor counts as 1-d).</summary>
    public static long Dim(long dim, Tensor input, string paramName = "dim")
    {
        long rank = Math.Max(input.dim(), 1);
        if (dim < -rank || dim >= rank)
            throw new ArgumentOutOfRangeException(paramName, dim,
                $"{paramName} must be in [{-rank}, {rank - 1}] for an input with {input.dim()} dimension(s).");
        return dim < 0 ? dim + rank : dim;
    }

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
