using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Checks each <c>Kafka:Settings:*</c>, <c>Kafka:ConsumerSettings:*</c> and <c>Kafka:ProducerSettings:*</c> key and value with librdkafka's own <c>rd_kafka_conf_set</c> at start, one line
/// per bad setting. Only a configuration object is made: no client, no threads, no connection (building a client, as
/// Confluent.Kafka does, connects to the bootstrap servers at once and stops at the first bad key).
/// </summary>
internal sealed class KafkaSettingsValidator : IValidateOptions<KafkaOptions>
{
    private const int ConfUnknown = -2;

    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Without librdkafka there is nothing to check against, and building the clients reports that itself.
        if (options.Settings.Count + options.ConsumerSettings.Count + options.ProducerSettings.Count == 0 || LibrdkafkaLibrary.Handle == 0)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        Check(nameof(options.Settings), options.Settings, failures);
        Check(nameof(options.ConsumerSettings), options.ConsumerSettings, failures);
        Check(nameof(options.ProducerSettings), options.ProducerSettings, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(string section, IDictionary<string, string> settings, List<string> failures)
    {
        foreach (var (key, value) in settings)
        {
            // Confluent.Kafka's own settings never reach librdkafka.
            if (!key.StartsWith("dotnet.", StringComparison.Ordinal) && Set(key, value) is { } failure)
            {
                failures.Add($"{KafkaOptions.SectionName}:{section}:{key}: {failure}");
            }
        }
    }

    // Delegates over the exports rather than function pointers: no unsafe code in the worker.
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nint ConfNew();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int ConfSet(nint conf, byte[] name, byte[] value, byte[] error, nuint errorSize);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void ConfDestroy(nint conf);

    private static readonly Lazy<(ConfNew New, ConfSet Set, ConfDestroy Destroy)> Conf = new(() => (
        Marshal.GetDelegateForFunctionPointer<ConfNew>(NativeLibrary.GetExport(LibrdkafkaLibrary.Handle, "rd_kafka_conf_new")),
        Marshal.GetDelegateForFunctionPointer<ConfSet>(NativeLibrary.GetExport(LibrdkafkaLibrary.Handle, "rd_kafka_conf_set")),
        Marshal.GetDelegateForFunctionPointer<ConfDestroy>(NativeLibrary.GetExport(LibrdkafkaLibrary.Handle, "rd_kafka_conf_destroy"))));

    private static string? Set(string key, string value)
    {
        var api = Conf.Value;
        var error = new byte[512];
        int result;
        // A fresh configuration per key, so one setting's check never depends on another's.
        var conf = api.New();
        try
        {
            result = api.Set(conf, Encoding.UTF8.GetBytes(key + "\0"), Encoding.UTF8.GetBytes(value + "\0"), error, (nuint)error.Length);
        }
        finally
        {
            api.Destroy(conf);
        }

        if (result == 0)
        {
            return null;
        }

        if (result == ConfUnknown)
        {
            return "librdkafka has no such setting";
        }

        // librdkafka's reason quotes the value; secrets (passwords, keys) must not reach the log.
        var reason = Encoding.UTF8.GetString(error, 0, Math.Max(0, Array.IndexOf(error, (byte)0))).Trim();
        return IsSecret(key) ? "librdkafka rejects this value (not shown: it may be a secret)" : $"librdkafka rejects this value: {reason}";
    }

    private static bool IsSecret(string key) =>
        key.Contains("password", StringComparison.OrdinalIgnoreCase) || key.Contains("secret", StringComparison.OrdinalIgnoreCase)
        || key.Contains("jaas", StringComparison.OrdinalIgnoreCase) || key.EndsWith(".pem", StringComparison.OrdinalIgnoreCase);
}
