using System.Text;
using TorchSharp;

namespace TorchActivations.Tests;

/// <summary>The build fix that lets TorchSharp's native glue load on Debian 12 (see the README).</summary>
public class NativeLoadingTests
{
    [Fact]
    public void The_output_copy_of_libLibTorchSharp_marks_GLIBCXX_3_4_32_weak()
    {
        if (!OperatingSystem.IsLinux()) return;
        var path = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"{path} is missing");
        Assert.Equal(0x2, VersionNeedFlags(File.ReadAllBytes(path), "GLIBCXX_3.4.32") & 0x2);
        // And the library loads: a tensor operation works.
        Assert.Equal(6.0, torch.tensor(new[] { 1.0, 2.0, 3.0 }).sum().item<double>());
    }

    /// <summary>Reads vna_flags of the named version need from the ELF .gnu.version_r section.</summary>
    static int VersionNeedFlags(byte[] b, string version)
    {
        long shoff = BitConverter.ToInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3a), shnum = BitConverter.ToUInt16(b, 0x3c);
        for (int i = 0; i < shnum; i++) {
            int sh = (int)(shoff + i * shentsize);
            if (BitConverter.ToUInt32(b, sh + 4) != 0x6ffffffe) continue;
            long off = BitConverter.ToInt64(b, sh + 0x18);
            int link = BitConverter.ToInt32(b, sh + 0x28);
            long strtab = BitConverter.ToInt64(b, (int)(shoff + link * shentsize) + 0x18);
            for (long need = off; ; ) {
                int count = BitConverter.ToUInt16(b, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(b, (int)need + 8);
                for (int k = 0; k < count; k++) {
                    long name = strtab + BitConverter.ToUInt32(b, (int)aux + 8);
                    int end = Array.IndexOf(b, (byte)0, (int)name);
                    if (Encoding.ASCII.GetString(b, (int)name, end - (int)name) == version)
                        return BitConverter.ToUInt16(b, (int)aux + 4);
                    aux += BitConverter.ToUInt32(b, (int)aux + 12);
                }
                uint next = BitConverter.ToUInt32(b, (int)need + 12);
                if (next == 0) break;
                need += next;
            }
        }
        throw new Xunit.Sdk.XunitException($"no version need {version} found");
    }
}
