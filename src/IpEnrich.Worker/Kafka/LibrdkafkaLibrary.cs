using System.Runtime.InteropServices;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// The native librdkafka that Confluent.Kafka ships beside the application, loaded in Confluent.Kafka's own order,
/// for the calls it does not expose (checking a setting alone, the mock cluster).
/// </summary>
public static class LibrdkafkaLibrary
{
    // The glibc build needs libsasl2, which slim images and Debian lack; then the self-contained builds.
    private static readonly string[] LibraryNames = ["librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so", "librdkafka.dylib", "librdkafka.dll"];

    private static readonly string[] Platforms = ["linux", "osx", "win"];

    private static readonly Lazy<nint> Loaded = new(Load);

    /// <summary>The library's handle; 0 when none of the builds loads here.</summary>
    public static nint Handle => Loaded.Value;

    private static nint Load()
    {
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var directories = Platforms.Select(os => Path.Combine(AppContext.BaseDirectory, "runtimes", $"{os}-{arch}", "native")).Prepend(AppContext.BaseDirectory);
        foreach (var path in directories.SelectMany(d => LibraryNames.Select(n => Path.Combine(d, n))).Where(File.Exists))
        {
            if (NativeLibrary.TryLoad(path, out var handle))
            {
                return handle;
            }
        }

        return NativeLibrary.TryLoad("librdkafka", typeof(LibrdkafkaLibrary).Assembly, null, out var found) ? found : 0;
    }
}
