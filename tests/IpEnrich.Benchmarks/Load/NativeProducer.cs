using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;
using IpEnrich.Worker.Kafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// A producer on librdkafka's C API alone, for measuring what Confluent's managed produce path costs on top of it
/// (<see cref="ClientCost"/>): a value produced from a span, headers passed as pointers, and delivery reports read by
/// an unmanaged callback that only counts them. One at a time per process (the callback's counts are static).
/// </summary>
internal sealed unsafe class NativeProducer : IDisposable
{
    private const int QueueFull = -184; // RD_KAFKA_RESP_ERR__QUEUE_FULL
    private const int MsgFlagCopy = 2; // RD_KAFKA_MSG_F_COPY: librdkafka copies the value while producing
    private const int VTypeRkt = 2;
    private const int VTypeValue = 4;
    private const int VTypeKey = 5;
    private const int VTypeOpaque = 6;
    private const int VTypeMsgFlags = 7;
    private const int VTypeTimestamp = 8;
    private const int VTypeHeader = 9;

    private static readonly Api Native = Api.Load();
    private static long s_delivered;
    private static long s_failed;

    private readonly nint _handle;
    private readonly nint _topic;

    /// <param name="settings">librdkafka properties (Confluent's <c>dotnet.*</c> ones are skipped).</param>
    public NativeProducer(IEnumerable<KeyValuePair<string, string>> settings, string topic)
    {
        var error = stackalloc byte[512];
        var conf = Native.ConfNew();
        foreach (var (name, value) in settings.Where(s => !s.Key.StartsWith("dotnet.", StringComparison.Ordinal)))
        {
            fixed (byte* n = Encoding.UTF8.GetBytes(name + "\0"), v = Encoding.UTF8.GetBytes(value + "\0"))
            {
                if (Native.ConfSet(conf, n, v, error, 512) != 0)
                {
                    throw new InvalidOperationException($"librdkafka: {name}: {Marshal.PtrToStringUTF8((nint)error)}");
                }
            }
        }

        Native.SetDeliveryCallback(conf, &OnDelivery);
        _handle = Native.New(0 /* producer */, conf, error, 512);
        if (_handle == 0)
        {
            throw new InvalidOperationException("librdkafka: " + Marshal.PtrToStringUTF8((nint)error));
        }

        fixed (byte* t = Encoding.UTF8.GetBytes(topic + "\0"))
        {
            _topic = Native.TopicNew(_handle, t, 0);
        }
    }

    public static long Delivered => Volatile.Read(ref s_delivered);

    public static long Failed => Volatile.Read(ref s_failed);

    /// <summary>
    /// Produces one record, with 0 or a <see cref="Handler"/> as its opaque; each header is a name from <see cref="HeaderName"/> and a value the caller keeps from moving
    /// until this returns (librdkafka copies both). Serves reports while librdkafka's queue is full.
    /// </summary>
    public void Produce(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long timestampMs, nint opaque,
        ReadOnlySpan<(nint Name, nint Value, int Length)> headers)
    {
        var vus = stackalloc ValueUnion[6 + headers.Length];
        fixed (byte* k = key, v = value)
        {
            var count = 0;
            vus[count++] = new ValueUnion { Type = VTypeRkt, A = _topic };
            vus[count++] = new ValueUnion { Type = VTypeMsgFlags, A = MsgFlagCopy };
            vus[count++] = new ValueUnion { Type = VTypeKey, A = (nint)k, B = key.Length };
            vus[count++] = new ValueUnion { Type = VTypeValue, A = (nint)v, B = value.Length };
            vus[count++] = new ValueUnion { Type = VTypeTimestamp, A = (nint)timestampMs };
            vus[count++] = new ValueUnion { Type = VTypeOpaque, A = opaque };
            foreach (var (name, headerValue, length) in headers)
            {
                vus[count++] = new ValueUnion { Type = VTypeHeader, A = name, B = headerValue, C = length };
            }

            while (Native.Produceva(_handle, vus, (nuint)count) is var error and not 0)
            {
                var code = Native.ErrorCode(error);
                Native.ErrorDestroy(error);
                if (code != QueueFull)
                {
                    throw new InvalidOperationException($"librdkafka refused a record: error {code}");
                }

                Native.Poll(_handle, 5);
            }
        }
    }

    public void Poll() => Native.Poll(_handle, 0);

    public int Flush(TimeSpan timeout) => Native.Flush(_handle, (int)timeout.TotalMilliseconds);

    /// <summary>A header name librdkafka can read: UTF-8, NUL-terminated, in memory that never moves (kept for the process).</summary>
    public static nint HeaderName(string name) => Marshal.StringToCoTaskMemUTF8(name);

    public void Dispose()
    {
        Native.TopicDestroy(_topic);
        Native.Destroy(_handle);
    }

    /// <summary>A record's opaque that has its report built and given to <paramref name="onDelivery"/>; freed by the report.</summary>
    public static nint Handler(Action<DeliveryReport<byte[]?, byte[]?>> onDelivery) => GCHandle.ToIntPtr(GCHandle.Alloc(onDelivery));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnDelivery(nint producer, nint message, nint opaque)
    {
        // rd_kafka_message_t starts with its error code; its _private (the record's opaque) is at byte 64.
        var error = *(int*)message;
        if (error == 0)
        {
            Interlocked.Increment(ref s_delivered);
        }
        else
        {
            Interlocked.Increment(ref s_failed);
        }

        var handler = *(nint*)(message + 64);
        if (handler != 0)
        {
            var handle = GCHandle.FromIntPtr(handler);
            ((Action<DeliveryReport<byte[]?, byte[]?>>)handle.Target!)(new DeliveryReport<byte[]?, byte[]?>
            {
                Error = new Error((ErrorCode)error),
                Status = error == 0 ? PersistenceStatus.Persisted : PersistenceStatus.NotPersisted,
            });
            handle.Free();
        }
    }

    /// <summary>librdkafka's <c>rd_kafka_vu_t</c>: the type, then a 64-byte union (<c>mem</c>: A, B; <c>header</c>: A, B, C).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 72)]
    private struct ValueUnion
    {
        [FieldOffset(0)] public int Type;
        [FieldOffset(8)] public nint A;
        [FieldOffset(16)] public nint B;
        [FieldOffset(24)] public nint C;
    }

    private sealed class Api
    {
        public delegate* unmanaged[Cdecl]<nint> ConfNew;
        public delegate* unmanaged[Cdecl]<nint, byte*, byte*, byte*, nuint, int> ConfSet;
        public delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<nint, nint, nint, void>, void> SetDeliveryCallback;
        public delegate* unmanaged[Cdecl]<int, nint, byte*, nuint, nint> New;
        public delegate* unmanaged[Cdecl]<nint, void> Destroy;
        public delegate* unmanaged[Cdecl]<nint, byte*, nint, nint> TopicNew;
        public delegate* unmanaged[Cdecl]<nint, void> TopicDestroy;
        public delegate* unmanaged[Cdecl]<nint, ValueUnion*, nuint, nint> Produceva;
        public delegate* unmanaged[Cdecl]<nint, int> ErrorCode;
        public delegate* unmanaged[Cdecl]<nint, void> ErrorDestroy;
        public delegate* unmanaged[Cdecl]<nint, int, int> Poll;
        public delegate* unmanaged[Cdecl]<nint, int, int> Flush;

        public static Api Load()
        {
            var lib = LibrdkafkaLibrary.Handle is not 0 and var handle ? handle : throw new FileNotFoundException("librdkafka not found beside the application");
            return new Api
            {
                ConfNew = (delegate* unmanaged[Cdecl]<nint>)NativeLibrary.GetExport(lib, "rd_kafka_conf_new"),
                ConfSet = (delegate* unmanaged[Cdecl]<nint, byte*, byte*, byte*, nuint, int>)NativeLibrary.GetExport(lib, "rd_kafka_conf_set"),
                SetDeliveryCallback = (delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<nint, nint, nint, void>, void>)NativeLibrary.GetExport(lib, "rd_kafka_conf_set_dr_msg_cb"),
                New = (delegate* unmanaged[Cdecl]<int, nint, byte*, nuint, nint>)NativeLibrary.GetExport(lib, "rd_kafka_new"),
                Destroy = (delegate* unmanaged[Cdecl]<nint, void>)NativeLibrary.GetExport(lib, "rd_kafka_destroy"),
                TopicNew = (delegate* unmanaged[Cdecl]<nint, byte*, nint, nint>)NativeLibrary.GetExport(lib, "rd_kafka_topic_new"),
                TopicDestroy = (delegate* unmanaged[Cdecl]<nint, void>)NativeLibrary.GetExport(lib, "rd_kafka_topic_destroy"),
                Produceva = (delegate* unmanaged[Cdecl]<nint, ValueUnion*, nuint, nint>)NativeLibrary.GetExport(lib, "rd_kafka_produceva"),
                ErrorCode = (delegate* unmanaged[Cdecl]<nint, int>)NativeLibrary.GetExport(lib, "rd_kafka_error_code"),
                ErrorDestroy = (delegate* unmanaged[Cdecl]<nint, void>)NativeLibrary.GetExport(lib, "rd_kafka_error_destroy"),
                Poll = (delegate* unmanaged[Cdecl]<nint, int, int>)NativeLibrary.GetExport(lib, "rd_kafka_poll"),
                Flush = (delegate* unmanaged[Cdecl]<nint, int, int>)NativeLibrary.GetExport(lib, "rd_kafka_flush"),
            };
        }
    }
}
