using IpEnrich.Core.Telemetry;
using IpEnrich.Defender;
using IpEnrich.Defender.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Defender.Tests.Support;

/// <summary>The Defender client composed as the worker composes it, with a fake clock and captured logs.</summary>
public sealed class DefenderHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    /// <param name="configure">Runs before the product registration (TryAdd replacements such as a token source).</param>
    /// <param name="configureAfter">Runs after it (overrides such as a stub primary handler, which must come last to win).</param>
    public DefenderHarness(IDictionary<string, string?> settings, FakeTimeProvider time, Action<IServiceCollection>? configure = null,
        Action<IServiceCollection>? configureAfter = null)
    {
        Time = time;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TimeProvider>(time);
        services.AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Debug));
        configure?.Invoke(services);
        services.AddMetrics().TryAddSingleton<IpEnrichTelemetry>(); // the host's telemetry module registers it in the worker
        services.AddDefenderClient(configuration);
        configureAfter?.Invoke(services);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public FakeTimeProvider Time { get; }

    public IDefenderClient Client => _services.GetRequiredService<IDefenderClient>();

    public FakeLogCollector Logs => _services.GetFakeLogCollector();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <summary>Runs the options validation the host runs at start; returns the failure lines.</summary>
    public IReadOnlyList<string> ValidationFailures()
    {
        try
        {
            _ = _services.GetRequiredService<IOptions<IpEnrich.Defender.Options.DefenderOptions>>().Value;
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return [.. ex.Failures];
        }
    }

    /// <summary>Moves the fake clock forward in small steps until the call completes (retry backoffs, timeouts).</summary>
    public async Task<T> RunAsync<T>(Task<T> call, TimeSpan step, int maxSteps = 2000)
    {
        for (var i = 0; i < maxSteps && !call.IsCompleted; i++)
        {
            await Task.Delay(1, TestContext.Current.CancellationToken);
            if (!call.IsCompleted)
            {
                Time.Advance(step);
            }
        }

        return await call;
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}
