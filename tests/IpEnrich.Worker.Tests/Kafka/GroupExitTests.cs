using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Confluent.Kafka;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class GroupExitTests
{
    /// <summary>
    /// The stop drains without polling, so the group's first assignment can be waiting when the consumer closes. A
    /// plain <c>Close()</c> then hangs for good in about one such close in four; each of these must leave in time.
    /// </summary>
    [Fact]
    [Trait("Category", "Integration")]
    public void Leaving_after_an_assignment_nobody_polled_for_finishes_in_time()
    {
        for (var attempt = 0; attempt < 15; attempt++)
        {
            using var cluster = PipelineSetup.Cluster(2);
            cluster.SetGroupInitialRebalanceDelay(TimeSpan.FromMilliseconds(300));
            var events = new List<string>();
            var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
            {
                BootstrapServers = cluster.BootstrapServers,
                GroupId = "g",
                EnableAutoOffsetStore = false,
                PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            })
                .SetPartitionsAssignedHandler((_, partitions) => events.Add($"assigned {partitions.Count}"))
                .SetPartitionsRevokedHandler((_, partitions) => events.Add($"revoked {partitions.Count}"))
                .Build();
            consumer.Subscribe("in");
            var joining = Stopwatch.StartNew();
            while (joining.ElapsedMilliseconds < 150 + (attempt % 5 * 20))
            {
                consumer.Consume(TimeSpan.FromMilliseconds(50)); // joining: the assignment comes at 300 ms
            }

            Thread.Sleep(600); // the stop's drain: nothing polls while the assignment arrives

            using var exit = new GroupExit(consumer);
            var left = exit.TryLeave(TimeSpan.FromSeconds(5));

            Assert.True(left, $"attempt {attempt}: the close hung ({string.Join(", ", events)})");
            Assert.Equal(["assigned 2", "revoked 2"], events);
        }
    }

    [Fact]
    public void A_close_that_does_not_return_in_time_is_reported_and_its_consumer_left_undisposed()
    {
        using var release = new ManualResetEventSlim();
        var consumer = new ScriptedConsumer(close: () => release.Wait(TimeSpan.FromMinutes(1)));
        try
        {
            var exit = new GroupExit(consumer.Proxy);
            Assert.False(exit.TryLeave(TimeSpan.FromMilliseconds(50)));
            exit.Dispose();

            Assert.Equal(["Consume", "Close"], consumer.Calls);
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public void A_consumer_that_left_is_disposed_with_the_exit()
    {
        var consumer = new ScriptedConsumer(close: () => { });
        var exit = new GroupExit(consumer.Proxy);
        Assert.True(exit.TryLeave(TimeSpan.FromSeconds(30)));
        exit.Dispose();

        Assert.Equal(["Consume", "Close", "Dispose"], consumer.Calls);
    }

    [Fact]
    public void What_the_close_throws_reaches_the_caller_as_thrown()
    {
        var consumer = new ScriptedConsumer(close: () => throw new KafkaException(ErrorCode.Local_Fatal));

        var thrown = Assert.Throws<KafkaException>(() => new GroupExit(consumer.Proxy).TryLeave(TimeSpan.FromSeconds(30)));
        Assert.Equal(ErrorCode.Local_Fatal, thrown.Error.Code);
    }

    /// <summary>A consumer whose poll finds nothing and whose <c>Close</c> runs the given action; it records the calls it gets.</summary>
    private sealed class ScriptedConsumer
    {
        public ScriptedConsumer(Action close)
        {
            Proxy = DispatchProxy.Create<IConsumer<byte[]?, byte[]?>, Recorder>();
            ((Recorder)(object)Proxy).Owner = (this, close);
        }

        public IConsumer<byte[]?, byte[]?> Proxy { get; }

        public List<string> Calls { get; } = [];

        [SuppressMessage("Performance", "CA1852", Justification = "DispatchProxy generates a type derived from it")]
        public class Recorder : DispatchProxy
        {
            public (ScriptedConsumer Consumer, Action Close) Owner { get; set; }

            protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
            {
                var name = targetMethod?.Name ?? "?";
                lock (Owner.Consumer.Calls)
                {
                    Owner.Consumer.Calls.Add(name);
                }

                if (name == nameof(IConsumer<byte[], byte[]>.Close))
                {
                    Owner.Close();
                }

                return null; // Consume finds nothing; Dispose and Close return nothing
            }
        }
    }
}
