using System.Runtime.InteropServices;
using System.Text;

using IpEnrich.Worker.Kafka;

namespace IpEnrich.Demo.MockKafka;

/// <summary>
/// librdkafka's built-in mock cluster (a real Kafka wire-protocol broker inside the native library Confluent.Kafka
/// ships), driven through its C API: topics with many partitions, brokers down/up, injected request errors. Used by
/// the demo and the tests; production targets real Kafka. Clients connect to <see cref="BootstrapServers"/>.
/// </summary>
public sealed unsafe class MockKafkaCluster : IDisposable
{
    private static readonly Lazy<Native> Api = new(Native.Load);
    private readonly IntPtr _handle;
    private readonly IntPtr _cluster;

    public MockKafkaCluster(int brokers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        var api = Api.Value;
        var error = stackalloc byte[512];
        var conf = api.ConfNew();
        SetConf(api, conf, "log_level", "3"); // this handle only hosts the cluster: no "no bootstrap.servers" warning
        _handle = api.New(0 /* producer */, conf, error, 512);
        if (_handle == IntPtr.Zero)
        {
            throw new InvalidOperationException("librdkafka: " + Marshal.PtrToStringUTF8((IntPtr)error));
        }

        _cluster = api.MockClusterNew(_handle, brokers);
        if (_cluster == IntPtr.Zero)
        {
            api.Destroy(_handle);
            throw new InvalidOperationException("librdkafka: the mock cluster could not be created");
        }

        BootstrapServers = Marshal.PtrToStringUTF8(api.MockClusterBootstraps(_cluster))!;
    }

    public string BootstrapServers { get; }

    private static void SetConf(Native api, IntPtr conf, string name, string value)
    {
        var error = stackalloc byte[512];
        var n = Encoding.UTF8.GetBytes(name + "\0");
        var v = Encoding.UTF8.GetBytes(value + "\0");
        fixed (byte* pn = n, pv = v)
        {
            api.ConfSet(conf, pn, pv, error, 512);
        }
    }

    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        var name = Encoding.UTF8.GetBytes(topic + "\0");
        fixed (byte* p = name)
        {
            Check(Api.Value.MockTopicCreate(_cluster, p, partitions, replicationFactor), $"creating topic {topic}");
        }
    }

    public void SetBrokerDown(int brokerId) => Check(Api.Value.MockBrokerSetDown(_cluster, brokerId), $"taking broker {brokerId} down");

    public void SetBrokerUp(int brokerId) => Check(Api.Value.MockBrokerSetUp(_cluster, brokerId), $"bringing broker {brokerId} up");

    /// <summary>How long a new group waits for more members before its first assignment (3 s unless set).</summary>
    public void SetGroupInitialRebalanceDelay(TimeSpan delay) =>
        Api.Value.MockGroupInitialRebalanceDelayMs(_cluster, (int)delay.TotalMilliseconds);

    /// <summary>The next <paramref name="errors"/>.Length requests of API <paramref name="apiKey"/> (0 = Produce, 1 = Fetch…) fail.</summary>
    public void PushRequestErrors(short apiKey, params Confluent.Kafka.ErrorCode[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var codes = errors.Select(e => (int)e).ToArray();
        fixed (int* p = codes)
        {
            Api.Value.MockPushRequestErrorsArray(_cluster, apiKey, (nuint)codes.Length, p);
        }
    }

    /// <summary>Stops the brokers and frees their data; safe to call more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Api.Value.MockClusterDestroy(_cluster);
            Api.Value.Destroy(_handle);
        }
    }

    private int _disposed;

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"librdkafka mock: {what} failed with {(Confluent.Kafka.ErrorCode)error}");
        }
    }

    private sealed class Native
    {
        public delegate* unmanaged[Cdecl]<IntPtr> ConfNew;
        public delegate* unmanaged[Cdecl]<IntPtr, byte*, byte*, byte*, nuint, int> ConfSet;
        public delegate* unmanaged[Cdecl]<int, IntPtr, byte*, nuint, IntPtr> New;
        public delegate* unmanaged[Cdecl]<IntPtr, void> Destroy;
        public delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr> MockClusterNew;
        public delegate* unmanaged[Cdecl]<IntPtr, void> MockClusterDestroy;
        public delegate* unmanaged[Cdecl]<IntPtr, IntPtr> MockClusterBootstraps;
        public delegate* unmanaged[Cdecl]<IntPtr, byte*, int, int, int> MockTopicCreate;
        public delegate* unmanaged[Cdecl]<IntPtr, int, int> MockBrokerSetDown;
        public delegate* unmanaged[Cdecl]<IntPtr, int, int> MockBrokerSetUp;
        public delegate* unmanaged[Cdecl]<IntPtr, short, nuint, int*, void> MockPushRequestErrorsArray;
        public delegate* unmanaged[Cdecl]<IntPtr, int, void> MockGroupInitialRebalanceDelayMs;

        public static Native Load()
        {
            var lib = LibrdkafkaLibrary.Handle is not 0 and var handle ? handle
                : throw new FileNotFoundException("librdkafka not found beside the application (Confluent.Kafka's librdkafka.redist)");
            return new Native
            {
                ConfNew = (delegate* unmanaged[Cdecl]<IntPtr>)NativeLibrary.GetExport(lib, "rd_kafka_conf_new"),
                ConfSet = (delegate* unmanaged[Cdecl]<IntPtr, byte*, byte*, byte*, nuint, int>)NativeLibrary.GetExport(lib, "rd_kafka_conf_set"),
                New = (delegate* unmanaged[Cdecl]<int, IntPtr, byte*, nuint, IntPtr>)NativeLibrary.GetExport(lib, "rd_kafka_new"),
                Destroy = (delegate* unmanaged[Cdecl]<IntPtr, void>)NativeLibrary.GetExport(lib, "rd_kafka_destroy"),
                MockClusterNew = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)NativeLibrary.GetExport(lib, "rd_kafka_mock_cluster_new"),
                MockClusterDestroy = (delegate* unmanaged[Cdecl]<IntPtr, void>)NativeLibrary.GetExport(lib, "rd_kafka_mock_cluster_destroy"),
                MockClusterBootstraps = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)NativeLibrary.GetExport(lib, "rd_kafka_mock_cluster_bootstraps"),
                MockTopicCreate = (delegate* unmanaged[Cdecl]<IntPtr, byte*, int, int, int>)NativeLibrary.GetExport(lib, "rd_kafka_mock_topic_create"),
                MockBrokerSetDown = (delegate* unmanaged[Cdecl]<IntPtr, int, int>)NativeLibrary.GetExport(lib, "rd_kafka_mock_broker_set_down"),
                MockBrokerSetUp = (delegate* unmanaged[Cdecl]<IntPtr, int, int>)NativeLibrary.GetExport(lib, "rd_kafka_mock_broker_set_up"),
                MockPushRequestErrorsArray = (delegate* unmanaged[Cdecl]<IntPtr, short, nuint, int*, void>)NativeLibrary.GetExport(lib, "rd_kafka_mock_push_request_errors_array"),
                MockGroupInitialRebalanceDelayMs = (delegate* unmanaged[Cdecl]<IntPtr, int, void>)NativeLibrary.GetExport(lib, "rd_kafka_mock_group_initial_rebalance_delay_ms"),
            };
        }
    }
}
