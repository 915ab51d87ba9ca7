using System.IO.Compression;
using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;

namespace MnistDemo;

/// <summary>A problem with the data files: the message names the file and what is wrong with it.</summary>
public sealed class MnistDataException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Reads IDX files (the format of MNIST and Fashion-MNIST), raw or gzip-compressed.</summary>
public static class Idx
{
    public const int LabelsMagic = 0x00000801; // unsigned byte, 1 dimension
    public const int ImagesMagic = 0x00000803; // unsigned byte, 3 dimensions

    /// <summary>The file's bytes, decompressed when its name ends in .gz.</summary>
    public static byte[] ReadBytes(string path)
    {
        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return File.ReadAllBytes(path);
        try {
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var memory = new MemoryStream();
            gzip.CopyTo(memory);
            return memory.ToArray();
        } catch (Exception e) when (e is InvalidDataException or EndOfStreamException) {
            throw new MnistDataException($"{path}: corrupt gzip stream ({e.Message}).", e);
        }
    }

    static int BigEndian(byte[] b, int offset) => (b[offset] << 24) | (b[offset + 1] << 16) | (b[offset + 2] << 8) | b[offset + 3];

    /// <summary>Parses an IDX file with the given magic number; returns the dimensions and the payload (a view of the bytes after the header).</summary>
    public static (int[] Dims, ReadOnlyMemory<byte> Data) Parse(byte[] bytes, int expectedMagic, string path)
    {
        int rank = expectedMagic & 0xff;
        if (bytes.Length < 4)
            throw new MnistDataException($"{path}: truncated file: {bytes.Length} bytes, not even the 4-byte magic number.");
        int magic = BigEndian(bytes, 0);
        if (magic != expectedMagic)
            throw new MnistDataException($"{path}: wrong magic number 0x{magic:X8}, expected 0x{expectedMagic:X8} ({(expectedMagic == ImagesMagic ? "images: unsigned bytes, 3 dimensions" : "labels: unsigned bytes, 1 dimension")}).");
        int header = 4 + 4 * rank;
        if (bytes.Length < header)
            throw new MnistDataException($"{path}: truncated file: {bytes.Length} bytes, shorter than its {header}-byte header.");
        var dims = new int[rank];
        long expected = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = BigEndian(bytes, 4 + 4 * i);
            if (dims[i] < 0) throw new MnistDataException($"{path}: dimension {i} is negative ({dims[i]}).");
            expected *= dims[i];
        }
        long actual = bytes.Length - header;
        if (actual < expected)
            throw new MnistDataException($"{path}: truncated file: the header announces {string.Join("x", dims)} = {expected} bytes of data, the file has {actual}.");
        if (actual > expected)
            throw new MnistDataException($"{path}: {actual - expected} unexpected bytes after the {string.Join("x", dims)} data.");
        return (dims, bytes.AsMemory(header));
    }
}

/// <summary>One split held in memory: images as a float tensor [N, 1, 28, 28] (normalized), labels as int64 [N].</summary>
public sealed class MnistSplit(Tensor images, Tensor labels) : IDisposable
{
    public Tensor Images { get; } = images;
    public Tensor Labels { get; } = labels;
    public long Count => Labels.shape[0];

    /// <summary>A view of rows [start, start+length) — no copy.</summary>
    public (Tensor Images, Tensor Labels) Slice(long start, long length) =>
        (Images.narrow(0, start, length), Labels.narrow(0, start, length));

    /// <summary>The first <paramref name="n"/> samples (a view), or all when n is null or larger than the split.</summary>
    public MnistSplit Take(long? n) => n is null || n.Value >= Count ? this : new MnistSplit(Images.narrow(0, 0, n.Value), Labels.narrow(0, 0, n.Value));

    public MnistSplit To(Device device) => device.type == DeviceType.CPU ? this : new MnistSplit(Images.to(device), Labels.to(device));

    public void Dispose() { Images.Dispose(); Labels.Dispose(); }
}

public sealed class MnistData(MnistSplit train, MnistSplit test) : IDisposable
{
    public MnistSplit Train { get; } = train;
    public MnistSplit Test { get; } = test;
    public void Dispose() { Train.Dispose(); Test.Dispose(); }
}

/// <summary>
/// A data set in MNIST's format: its name on the command line, the training set's pixel mean and standard deviation
/// (of pixel/255; each recomputes to these four digits from its official training images), and where its files
/// are published with their MD5s.
/// </summary>
public sealed record Dataset(string Name, double Mean, double Std, string BaseUrl, IReadOnlyDictionary<string, string> Md5)
{
    public static readonly Dataset Mnist = new("mnist", 0.1307, 0.3081, "https://ossci-datasets.s3.amazonaws.com/mnist/", new Dictionary<string, string> {
        [MnistLoader.TrainImages + ".gz"] = "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        [MnistLoader.TrainLabels + ".gz"] = "d53e105ee54ea40749a09fcbcd1e9432",
        [MnistLoader.TestImages + ".gz"] = "9fb629c4189551a2d022fa330f9573f3",
        [MnistLoader.TestLabels + ".gz"] = "ec29112dd5afa0611ce80d1b7f02629c",
    });

    public static readonly Dataset FashionMnist = new("fashion-mnist", 0.2860, 0.3530,
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/", new Dictionary<string, string> {
        [MnistLoader.TrainImages + ".gz"] = "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        [MnistLoader.TrainLabels + ".gz"] = "25c81989df183df01b3e8a0aad5dffbe",
        [MnistLoader.TestImages + ".gz"] = "bef4ecab320f06d8554ea6380940ec79",
        [MnistLoader.TestLabels + ".gz"] = "bb300cfdad3c16e7a12a480ee83cd310",
    });

    public static readonly Dataset[] All = [Mnist, FashionMnist];

    public static Dataset Find(string name) => All.FirstOrDefault(d => d.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown dataset '{name}'; use one of {string.Join(", ", All.Select(d => d.Name))}.", nameof(name));

    /// <summary>$MNIST_DIR (MNIST) or $FASHION_MNIST_DIR, else ./data/&lt;name&gt;.</summary>
    public string DefaultDirectory() =>
        Environment.GetEnvironmentVariable(Name == "mnist" ? "MNIST_DIR" : "FASHION_MNIST_DIR") is { Length: > 0 } env ? env : Path.Combine(".", "data", Name);

    /// <summary>A downloader from this data set's published location, checking its published MD5s.</summary>
    public Downloader CreateDownloader(HttpClient? client = null) => new(client ?? new HttpClient { Timeout = TimeSpan.FromSeconds(30) }, BaseUrl, Md5);
}

/// <summary>Loads the four standard IDX files from a directory, downloading missing ones when asked.</summary>
public static class MnistLoader
{
    public const string TrainImages = "train-images-idx3-ubyte";
    public const string TrainLabels = "train-labels-idx1-ubyte";
    public const string TestImages = "t10k-images-idx3-ubyte";
    public const string TestLabels = "t10k-labels-idx1-ubyte";
    public static readonly string[] FileNames = [TrainImages, TrainLabels, TestImages, TestLabels];

    // MNIST's mean and standard deviation, as in the PyTorch example.
    public const double Mean = 0.1307, Std = 0.3081;

    /// <summary>The path of a file in the directory, raw or .gz (raw preferred); null when neither exists.</summary>
    public static string? Find(string directory, string name)
    {
        var raw = Path.Combine(directory, name);
        if (File.Exists(raw)) return raw;
        var gz = raw + ".gz";
        return File.Exists(gz) ? gz : null;
    }

    public static MnistData Load(string directory, Downloader? downloader = null, Dataset? dataset = null)
    {
        dataset ??= Dataset.Mnist;
        var missing = FileNames.Where(n => !Directory.Exists(directory) || Find(directory, n) is null).ToArray();
        if (missing.Length > 0) {
            if (downloader is null) {
                if (!Directory.Exists(directory))
                    throw new MnistDataException($"{Path.GetFullPath(directory)}: directory missing. {WhereToPut(directory)}");
                throw new MnistDataException($"{Path.GetFullPath(directory)}: missing {string.Join(", ", missing.Select(m => m + "[.gz]"))}. {WhereToPut(directory)}");
            }
            downloader.Download(directory, missing);
        }
        var train = LoadSplit(directory, TrainImages, TrainLabels, dataset.Mean, dataset.Std);
        var test = LoadSplit(directory, TestImages, TestLabels, dataset.Mean, dataset.Std);
        return new MnistData(train, test);
    }

    public static string WhereToPut(string directory) =>
        $"Put the four files {string.Join(", ", FileNames)} (raw or .gz) in {Path.GetFullPath(directory)}, or pass --data DIR / set MNIST_DIR to a directory that has them.";

    public static MnistSplit LoadSplit(string directory, string imagesName, string labelsName, double mean = Mean, double std = Std)
    {
        var imagesPath = Find(directory, imagesName) ?? throw new MnistDataException($"{Path.Combine(directory, imagesName)}[.gz]: file missing. {WhereToPut(directory)}");
        var labelsPath = Find(directory, labelsName) ?? throw new MnistDataException($"{Path.Combine(directory, labelsName)}[.gz]: file missing. {WhereToPut(directory)}");
        var (imageDims, imageData) = Idx.Parse(Idx.ReadBytes(imagesPath), Idx.ImagesMagic, imagesPath);
        var (labelDims, labelData) = Idx.Parse(Idx.ReadBytes(labelsPath), Idx.LabelsMagic, labelsPath);
        if (imageDims[0] != labelDims[0])
            throw new MnistDataException($"{imagesPath} has {imageDims[0]} images but {labelsPath} has {labelDims[0]} labels; the counts must match.");
        var labelSpan = labelData.Span;
        for (int i = 0; i < labelSpan.Length; i++)
            if (labelSpan[i] > 9)
                throw new MnistDataException($"{labelsPath}: label {labelSpan[i]} at index {i} is outside 0-9.");

        int n = imageDims[0], h = imageDims[1], w = imageDims[2];
        using var scope = torch.NewDisposeScope();
        var raw = torch.tensor(imageData.ToArray(), new long[] { n, 1, h, w }, ScalarType.Byte);
        var images = raw.to_type(ScalarType.Float32).div_(255.0).sub_(mean).div_(std);
        var labels = torch.tensor(labelData.ToArray(), new long[] { n }, ScalarType.Byte).to_type(ScalarType.Int64);
        return new MnistSplit(images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }
}

/// <summary>Downloads missing .gz files, checks each against its published MD5, and writes it atomically (temp file + rename).</summary>
public sealed class Downloader(HttpClient client, string baseUrl = Downloader.DefaultBaseUrl, IReadOnlyDictionary<string, string>? md5 = null)
{
    public const string DefaultBaseUrl = "https://ossci-datasets.s3.amazonaws.com/mnist/";

    public static IReadOnlyDictionary<string, string> PublishedMd5 => Dataset.Mnist.Md5;

    readonly IReadOnlyDictionary<string, string> md5 = md5 ?? PublishedMd5;

    public void Download(string directory, IEnumerable<string> names)
    {
        foreach (var name in names) {
            var file = name + ".gz";
            var url = baseUrl.TrimEnd('/') + "/" + file;
            var target = Path.Combine(directory, file);
            var temp = target + $".{Environment.ProcessId}.part";
            try {
                Console.Error.WriteLine($"Downloading {url} ...");
                byte[] bytes;
                try {
                    bytes = client.GetByteArrayAsync(url).GetAwaiter().GetResult();
                } catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException) {
                    throw new MnistDataException($"Could not download {url}: {e.Message}. {MnistLoader.WhereToPut(directory)}", e);
                }
                var actual = Convert.ToHexStringLower(MD5.HashData(bytes));
                if (md5.TryGetValue(file, out var expected) && actual != expected)
                    throw new MnistDataException($"{url}: MD5 {actual} does not match the published {expected}; the file was not written. {MnistLoader.WhereToPut(directory)}");
                Directory.CreateDirectory(directory);
                File.WriteAllBytes(temp, bytes);
                File.Move(temp, target, overwrite: true);
            } finally {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }
    }
}
