using System.IO.Compression;

namespace MnistDemo.Tests;

/// <summary>Writes small IDX files (and broken variants) for the loader tests.</summary>
public static class IdxWriter
{
    public static byte[] Header(int magic, params int[] dims)
    {
        var b = new byte[4 + 4 * dims.Length];
        Put(b, 0, magic);
        for (int i = 0; i < dims.Length; i++) Put(b, 4 + 4 * i, dims[i]);
        return b;
    }

    static void Put(byte[] b, int offset, int v)
    {
        b[offset] = (byte)(v >> 24); b[offset + 1] = (byte)(v >> 16); b[offset + 2] = (byte)(v >> 8); b[offset + 3] = (byte)v;
    }

    /// <summary>n images of size x size: image i is a bar whose position depends on its label, so a model can learn it.</summary>
    public static byte[] Images(byte[] labels, int size = 28)
    {
        var header = Header(Idx.ImagesMagic, labels.Length, size, size);
        var data = new byte[labels.Length * size * size];
        for (int i = 0; i < labels.Length; i++) {
            int row = 2 + labels[i] * 2;
            for (int c = 4; c < size - 4; c++) data[i * size * size + row * size + c] = 255;
        }
        return [.. header, .. data];
    }

    public static byte[] Labels(byte[] labels) => [.. Header(Idx.LabelsMagic, labels.Length), .. labels];

    public static byte[] Gzip(byte[] raw)
    {
        using var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Fastest)) gz.Write(raw);
        return memory.ToArray();
    }

    public static byte[] LabelsSequence(int n) => Enumerable.Range(0, n).Select(i => (byte)(i % 10)).ToArray();

    /// <summary>A complete small data set (raw or .gz) in a fresh temp directory.</summary>
    public static string WriteSet(int train = 200, int test = 50, bool gzip = false)
    {
        var dir = TempDir();
        var trainLabels = LabelsSequence(train);
        var testLabels = LabelsSequence(test);
        Write(dir, MnistLoader.TrainImages, Images(trainLabels), gzip);
        Write(dir, MnistLoader.TrainLabels, Labels(trainLabels), gzip);
        Write(dir, MnistLoader.TestImages, Images(testLabels), gzip);
        Write(dir, MnistLoader.TestLabels, Labels(testLabels), gzip);
        return dir;
    }

    public static void Write(string dir, string name, byte[] raw, bool gzip)
    {
        foreach (var old in new[] { Path.Combine(dir, name), Path.Combine(dir, name + ".gz") })
            if (File.Exists(old)) File.Delete(old);
        if (gzip) File.WriteAllBytes(Path.Combine(dir, name + ".gz"), Gzip(raw));
        else File.WriteAllBytes(Path.Combine(dir, name), raw);
    }

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mnistdemo-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
