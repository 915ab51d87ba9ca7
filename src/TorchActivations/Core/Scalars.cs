using System.Collections.Concurrent;
using TorchSharp;

namespace TorchActivations.Core;

/// <summary>
/// Cached native Scalars. TorchSharp turns every number passed where it takes a <see cref="Scalar"/> into a new
/// native object that only a finalizer frees (<c>x.mul_(0.5)</c>, <c>1 - t</c>, <c>clamp_min(0)</c>, and the hidden
/// alpha of <c>add(tensor)</c> and <c>add(scalar)</c>). In a training loop those small objects, freed late and in
/// random order, fragment the native heap and it grows. The package's tensor code therefore passes only Scalars
/// from here, and adds with an explicit alpha (<c>a.add_(b, One)</c>).
/// </summary>
/// <remarks>
/// Scalars are immutable and may be shared between threads. The cache keys on the bits of the value (so −0.0 and
/// 0.0 stay distinct) and is bounded: parameter values come from users, and past the bound a value gets a fresh
/// Scalar, which is correct, only freed late.
/// </remarks>
internal static class Scalars
{
    const int MaxCached = 4096;
    static readonly ConcurrentDictionary<long, Scalar> Cache = new();

    /// <summary>The cached Scalar of <paramref name="value"/>, a float64 number.</summary>
    public static Scalar S(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        if (Cache.TryGetValue(bits, out var scalar)) return scalar;
        if (Cache.Count >= MaxCached) return value.ToScalar();
        return Cache.GetOrAdd(bits, static b => BitConverter.Int64BitsToDouble(b).ToScalar());
    }

    public static readonly Scalar Zero = S(0);
    public static readonly Scalar One = S(1);
    public static readonly Scalar Half = S(0.5);
}
