using System.Runtime.InteropServices;

namespace TorchActivations.Tests.Reliability;

[Collection(nameof(SerialReliability))]
public class NativeAllocatorTests
{
    static Func<string, string?> Environment(params (string Name, string Value)[] set) =>
        name => set.FirstOrDefault(v => v.Name == name).Value;

    [Theory]
    [InlineData("MALLOC_MMAP_THRESHOLD_")]
    [InlineData("MALLOC_TRIM_THRESHOLD_")]
    [InlineData("MALLOC_TOP_PAD_")]
    [InlineData("MALLOC_MMAP_MAX_")]
    public void Keeps_the_users_malloc_variables(string variable)
    {
        var result = NativeAllocator.Tune(Environment((variable, "1048576")));
        Assert.False(result.Applied);
        Assert.Contains(variable, result.Reason);
    }

    [Fact]
    public void Keeps_the_users_glibc_malloc_tunables()
    {
        var result = NativeAllocator.Tune(Environment(("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX512F:glibc.malloc.trim_threshold=1")));
        Assert.False(result.Applied);
        Assert.Contains("GLIBC_TUNABLES", result.Reason);
    }

    /// <summary>
    /// The effect itself, seen through glibc's own accounting: after tuning, a 16 MiB block comes from the heap
    /// (mallinfo2's arena), not from a mapping of its own (hblkhd), which it would under glibc's default threshold
    /// (128 KiB until a larger mapped block is freed).
    /// </summary>
    [Fact]
    public void On_glibc_large_blocks_come_from_the_heap_after_tuning()
    {
        if (!OperatingSystem.IsLinux()) return;
        var result = NativeAllocator.Tune(Environment(("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX512F")));
        Assert.True(result.Applied, result.Reason);
        Assert.True(NativeAllocator.TuneForTensors().Applied || System.Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null);

        var before = Mallinfo2();
        var block = Marshal.AllocHGlobal(16 << 20);
        try {
            var during = Mallinfo2();
            Assert.Equal(before.Hblkhd, during.Hblkhd);
            Assert.True(during.Uordblks >= before.Uordblks + (16 << 20), $"in-use heap bytes {before.Uordblks} → {during.Uordblks}");
        } finally {
            Marshal.FreeHGlobal(block);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    struct MallocInfo
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    static extern MallocInfo Mallinfo2();
}
