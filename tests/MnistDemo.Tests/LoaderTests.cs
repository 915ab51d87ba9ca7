using System.Net;
using System.Security.Cryptography;

namespace MnistDemo.Tests;

public class LoaderTests
{
    static MnistDataException LoadFails(string dir) =>
        Assert.Throws<MnistDataException>(() => MnistLoader.Load(dir).Dispose());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Loads_raw_and_gzip_files_into_one_tensor_per_split(bool gzip)
    {
        var dir = IdxWriter.WriteSet(train: 30, test: 20, gzip: gzip);
        using var data = MnistLoader.Load(dir);
        Assert.Equal(new long[] { 30, 1, 28, 28 }, data.Train.Images.shape);
        Assert.Equal(new long[] { 20 }, data.Test.Labels.shape);
        Assert.Equal(TorchSharp.torch.ScalarType.Int64, data.Train.Labels.dtype);
        Assert.Equal(TorchSharp.torch.ScalarType.Float32, data.Train.Images.dtype);
        Assert.Equal(IdxWriter.LabelsSequence(30).Select(b => (long)b), data.Train.Labels.data<long>().ToArray());
        // Normalized with MNIST's mean and std: a 0 pixel maps to -mean/std, a 255 pixel to (1-mean)/std.
        Assert.Equal(-MnistLoader.Mean / MnistLoader.Std, data.Train.Images.min().item<float>(), 4);
        Assert.Equal((1 - MnistLoader.Mean) / MnistLoader.Std, data.Train.Images.max().item<float>(), 4);
        // Batches are views of the one tensor.
        var (x, y) = data.Train.Slice(10, 5);
        Assert.Equal(new long[] { 5, 1, 28, 28 }, x.shape);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, y.data<long>().ToArray());
    }

    [Fact]
    public void Wrong_magic_number_names_the_file()
    {
        var dir = IdxWriter.WriteSet();
        // A labels file where the images file should be.
        IdxWriter.Write(dir, MnistLoader.TrainImages, IdxWriter.Labels(IdxWriter.LabelsSequence(200)), gzip: false);
        var e = LoadFails(dir);
        Assert.Contains(MnistLoader.TrainImages, e.Message);
        Assert.Contains("wrong magic number 0x00000801", e.Message);
    }

    [Fact]
    public void Truncated_data_names_the_file()
    {
        var dir = IdxWriter.WriteSet(gzip: true);
        var full = IdxWriter.Images(IdxWriter.LabelsSequence(50));
        IdxWriter.Write(dir, MnistLoader.TestImages, full[..^100], gzip: true);
        var e = LoadFails(dir);
        Assert.Contains(MnistLoader.TestImages + ".gz", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Truncated_header_names_the_file()
    {
        var dir = IdxWriter.WriteSet();
        IdxWriter.Write(dir, MnistLoader.TrainLabels, IdxWriter.Labels(IdxWriter.LabelsSequence(200))[..6], gzip: false);
        var e = LoadFails(dir);
        Assert.Contains(MnistLoader.TrainLabels, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Empty_file_is_truncated()
    {
        var dir = IdxWriter.WriteSet();
        IdxWriter.Write(dir, MnistLoader.TrainLabels, [], gzip: false);
        Assert.Contains("truncated", LoadFails(dir).Message);
    }

    [Fact]
    public void Image_and_label_counts_must_match()
    {
        var dir = IdxWriter.WriteSet(train: 200);
        IdxWriter.Write(dir, MnistLoader.TrainLabels, IdxWriter.Labels(IdxWriter.LabelsSequence(199)), gzip: false);
        var e = LoadFails(dir);
        Assert.Contains("200 images", e.Message);
        Assert.Contains("199 labels", e.Message);
        Assert.Contains(MnistLoader.TrainLabels, e.Message);
    }

    [Fact]
    public void Labels_outside_0_to_9_are_rejected()
    {
        var dir = IdxWriter.WriteSet(test: 50);
        var labels = IdxWriter.LabelsSequence(50);
        labels[17] = 10;
        IdxWriter.Write(dir, MnistLoader.TestLabels, IdxWriter.Labels(labels), gzip: true);
        var e = LoadFails(dir);
        Assert.Contains(MnistLoader.TestLabels, e.Message);
        Assert.Contains("label 10 at index 17 is outside 0-9", e.Message);
    }

    [Fact]
    public void Corrupt_gzip_stream_names_the_file()
    {
        var dir = IdxWriter.WriteSet(gzip: true);
        var gz = IdxWriter.Gzip(IdxWriter.Images(IdxWriter.LabelsSequence(200)));
        for (int i = 20; i < gz.Length - 20; i += 7) gz[i] ^= 0x5a; // damage the deflate data, keep the gzip header
        File.WriteAllBytes(Path.Combine(dir, MnistLoader.TrainImages + ".gz"), gz);
        var e = LoadFails(dir);
        Assert.Contains(MnistLoader.TrainImages + ".gz", e.Message);
        Assert.Contains("corrupt gzip stream", e.Message);
    }

    [Fact]
    public void Cut_off_gzip_file_is_reported()
    {
        var dir = IdxWriter.WriteSet(gzip: true);
        var gz = IdxWriter.Gzip(IdxWriter.Images(IdxWriter.LabelsSequence(200)));
        File.WriteAllBytes(Path.Combine(dir, MnistLoader.TrainImages + ".gz"), gz[..(gz.Length / 2)]);
        var e = LoadFails(dir);
        Assert.Contains(MnistLoader.TrainImages + ".gz", e.Message);
        Assert.True(e.Message.Contains("corrupt gzip stream") || e.Message.Contains("truncated"), e.Message);
    }

    [Fact]
    public void Not_gzip_at_all_is_a_corrupt_gzip_stream()
    {
        var dir = IdxWriter.WriteSet(gzip: true);
        File.WriteAllBytes(Path.Combine(dir, MnistLoader.TrainLabels + ".gz"), IdxWriter.Labels(IdxWriter.LabelsSequence(200)));
        Assert.Contains("corrupt gzip stream", LoadFails(dir).Message);
    }

    [Fact]
    public void Missing_directory_says_where_to_put_the_files()
    {
        var dir = Path.Combine(IdxWriter.TempDir(), "nope");
        var e = LoadFails(dir);
        Assert.Contains("directory missing", e.Message);
        Assert.Contains(dir, e.Message);
        Assert.Contains(MnistLoader.TrainImages, e.Message);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var dir = IdxWriter.WriteSet();
        File.Delete(Path.Combine(dir, MnistLoader.TestLabels));
        var e = LoadFails(dir);
        Assert.Contains("missing " + MnistLoader.TestLabels, e.Message);
    }

    sealed class FakeHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public List<string> Urls { get; } = [];
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Urls.Add(request.RequestUri!.ToString());
            return Task.FromResult(respond(request));
        }
    }

    static Dictionary<string, byte[]> GzipSet()
    {
        var train = IdxWriter.LabelsSequence(40);
        var test = IdxWriter.LabelsSequence(10);
        return new() {
            [MnistLoader.TrainImages + ".gz"] = IdxWriter.Gzip(IdxWriter.Images(train)),
            [MnistLoader.TrainLabels + ".gz"] = IdxWriter.Gzip(IdxWriter.Labels(train)),
            [MnistLoader.TestImages + ".gz"] = IdxWriter.Gzip(IdxWriter.Images(test)),
            [MnistLoader.TestLabels + ".gz"] = IdxWriter.Gzip(IdxWriter.Labels(test)),
        };
    }

    [Fact]
    public void Download_checks_md5_and_writes_the_files()
    {
        var files = GzipSet();
        var md5 = files.ToDictionary(f => f.Key, f => Convert.ToHexStringLower(MD5.HashData(f.Value)));
        var handler = new FakeHandler(r => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(files[Path.GetFileName(r.RequestUri!.AbsolutePath)]) });
        var dir = Path.Combine(IdxWriter.TempDir(), "fresh");
        using var data = MnistLoader.Load(dir, new Downloader(new HttpClient(handler), "https://mirror.example/mnist/", md5));
        Assert.Equal(40, data.Train.Count);
        Assert.Equal(4, handler.Urls.Count);
        Assert.Contains("https://mirror.example/mnist/train-images-idx3-ubyte.gz", handler.Urls);
        Assert.Equal(4, Directory.GetFiles(dir).Length); // no temp files left
    }

    [Fact]
    public void Download_with_wrong_md5_writes_nothing()
    {
        var files = GzipSet();
        var handler = new FakeHandler(r => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(files[Path.GetFileName(r.RequestUri!.AbsolutePath)]) });
        var dir = IdxWriter.TempDir();
        // The published MD5s do not match these made-up files.
        var e = Assert.Throws<MnistDataException>(() => MnistLoader.Load(dir, new Downloader(new HttpClient(handler), "https://mirror.example/mnist/")).Dispose());
        Assert.Contains("does not match the published f68b3c2dcbeaaa9fbdd348bbdeb94873", e.Message);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void Failed_download_says_where_to_put_the_files()
    {
        var handler = new FakeHandler(_ => throw new HttpRequestException("no route to host"));
        var dir = IdxWriter.TempDir();
        File.WriteAllBytes(Path.Combine(dir, MnistLoader.TrainLabels), IdxWriter.Labels(IdxWriter.LabelsSequence(3)));
        var e = Assert.Throws<MnistDataException>(() => MnistLoader.Load(dir, new Downloader(new HttpClient(handler))).Dispose());
        Assert.Contains("Could not download https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz", e.Message);
        Assert.Contains($"in {dir}", e.Message);
        Assert.DoesNotContain(handler.Urls, u => u.Contains("train-labels")); // present files are not downloaded
    }

    [Fact]
    public void Fashion_mnist_downloads_from_its_own_location_and_checks_its_own_md5()
    {
        var files = GzipSet();
        var handler = new FakeHandler(r => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(files[Path.GetFileName(r.RequestUri!.AbsolutePath)]) });
        var dir = IdxWriter.TempDir();
        var e = Assert.Throws<MnistDataException>(() =>
            MnistLoader.Load(dir, Dataset.FashionMnist.CreateDownloader(new HttpClient(handler)), Dataset.FashionMnist).Dispose());
        Assert.Contains("does not match the published 8d4fb7e6c68d591d4c3dfef9ec88bf0d", e.Message); // Fashion-MNIST's train-images MD5
        Assert.StartsWith("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/", handler.Urls[0]);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void Fashion_mnist_is_normalized_with_its_own_mean_and_std()
    {
        var dir = IdxWriter.WriteSet(train: 30, test: 20);
        using var data = MnistLoader.Load(dir, null, Dataset.FashionMnist);
        Assert.Equal(-0.2860 / 0.3530, data.Train.Images.min().item<float>(), 4);
        Assert.Equal((1 - 0.2860) / 0.3530, data.Test.Images.max().item<float>(), 4);
    }

    [Fact]
    public void Fashion_mnist_bad_files_fail_like_mnist_ones_and_its_dataset_is_recorded()
    {
        var dir = IdxWriter.WriteSet(train: 40, test: 10);
        var runs = IdxWriter.TempDir();
        var output = new StringWriter();
        int code = Cli.Run(["train", "--dataset", "fashion-mnist", "--data", dir, "--no-download", "--out", runs, "--name", "f", "--epochs", "1",
            "--batch-size", "20", "--threads", "1", "--plain"], output, output);
        Assert.True(code == 0, output.ToString());
        using (var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(runs, "f", "summary.json"))))
            Assert.Equal("fashion-mnist", summary.RootElement.GetProperty("config").GetProperty("Dataset").GetString());

        File.WriteAllBytes(Path.Combine(dir, MnistLoader.TestLabels), IdxWriter.Labels(IdxWriter.LabelsSequence(10))[..^3]);
        var err = new StringWriter();
        Assert.Equal(3, Cli.Run(["train", "--dataset", "fashion-mnist", "--data", dir, "--no-download", "--out", runs, "--threads", "1"], output, err));
        Assert.Contains("truncated file", err.ToString());
        Assert.Equal(1, Cli.Run(["train", "--dataset", "cifar", "--data", dir, "--no-download"], output, new StringWriter()));
    }
}
