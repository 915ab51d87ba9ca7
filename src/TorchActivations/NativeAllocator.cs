using System.Runtime.InteropServices;

namespace TorchActivations;

/// <summary>What <see cref="NativeAllocator.TuneForTensors"/> did, and why.</summary>
/// <param name="Applied">Whether the thresholds are now set.</param>
/// <param name="Reason">Why not, or what was set.</param>
public sealed record AllocatorTuning(bool Applied, string Reason);

/// <summary>
/// An opt-in tuning of glibc's allocator for tensor workloads on Linux; it helps any TorchSharp CPU training loop,
/// with the package's activations or the built-ins. The package never changes the allocator unless this is called.
/// </summary>
/// <remarks>
/// <para>
/// libtorch allocates every CPU tensor with <c>posix_memalign</c> from glibc's heap. glibc's default, dynamic
/// thresholds settle near the size of the largest tensor freed so far: blocks above the mmap threshold are mapped and
/// unmapped on every allocation, and whenever more than the trim threshold is free at the top of the heap it is
/// returned to the kernel. A training step frees and reallocates the same multi-megabyte blocks every step, so both
/// make the next writer fault the memory in again, page by page: thousands of page faults per step, which cost time.
/// </para>
/// <para>
/// <see cref="TuneForTensors"/> fixes both thresholds (<c>mallopt</c>): mmap threshold 32 MiB, trim threshold 64 MiB.
/// Both together: a high mmap threshold alone moves large blocks onto a heap that is still trimmed; a high trim
/// threshold alone keeps a heap that large blocks bypass. Side effects: it is process-wide; up to 64 MiB of freed
/// memory stays resident at the top of the heap; tensors above 32 MiB are still mapped per allocation; fixing the
/// thresholds turns off glibc's dynamic adjustment of them.
/// </para>
/// <para>
/// It changes nothing where the user has already chosen: if any of <c>MALLOC_MMAP_THRESHOLD_</c>,
/// <c>MALLOC_TRIM_THRESHOLD_</c>, <c>MALLOC_TOP_PAD_</c> or <c>MALLOC_MMAP_MAX_</c> is set, or <c>GLIBC_TUNABLES</c>
/// names a <c>glibc.malloc.</c> tunable, it leaves the allocator alone. On other systems and C libraries it is a
/// no-op. Call it once, early (before the first tensor is best).
/// </para>
/// </remarks>
public static class NativeAllocator
{
    /// <summary>The mmap threshold set by <see cref="TuneForTensors"/>: 32 MiB, glibc's largest on 64-bit systems.</summary>
    public const int MmapThresholdBytes = 32 << 20;

    /// <summary>The trim threshold set by <see cref="TuneForTensors"/>: 64 MiB.</summary>
    public const int TrimThresholdBytes = 64 << 20;

    static readonly string[] UserVariables =
        ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_"];

    static readonly object Gate = new();
    static AllocatorTuning? done;

    /// <summary>
    /// Sets glibc's mmap and trim thresholds for tensor workloads (see the remarks on <see cref="NativeAllocator"/>).
    /// Safe to call more than once and from any thread; later calls return the first call's result.
    /// </summary>
    public static AllocatorTuning TuneForTensors()
    {
        lock (Gate) return done ??= Tune(Environment.GetEnvironmentVariable);
    }

    internal static AllocatorTuning Tune(Func<string, string?> environment)
    {
        if (!OperatingSystem.IsLinux())
            return new(false, "not Linux: glibc's allocator is not in use");
        foreach (var name in UserVariables)
            if (!string.IsNullOrEmpty(environment(name)))
                return new(false, $"{name} is set: the user's allocator settings are kept");
        if (environment("GLIBC_TUNABLES") is { } tunables && tunables.Contains("glibc.malloc.", StringComparison.Ordinal))
            return new(false, "GLIBC_TUNABLES sets glibc.malloc tunables: the user's allocator settings are kept");
        try {
            _ = Glibc.gnu_get_libc_version();
        } catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) {
            return new(false, "the C library is not glibc");
        }
        if (Glibc.mallopt(Glibc.M_MMAP_THRESHOLD, MmapThresholdBytes) != 1)
            return new(false, "glibc refused M_MMAP_THRESHOLD");
        if (Glibc.mallopt(Glibc.M_TRIM_THRESHOLD, TrimThresholdBytes) != 1)
            return new(false, "glibc refused M_TRIM_THRESHOLD");
        return new(true, $"glibc mmap threshold {MmapThresholdBytes >> 20} MiB, trim threshold {TrimThresholdBytes >> 20} MiB");
    }

    static class Glibc
    {
        public const int M_TRIM_THRESHOLD = -1;
        public const int M_MMAP_THRESHOLD = -3;

        [DllImport("libc", CallingConvention = CallingConvention.Cdecl)]
        public static extern int mallopt(int param, int value);

        [DllImport("libc", CallingConvention = CallingConvention.Cdecl)]
        public static extern IntPtr gnu_get_libc_version();
    }
}
