using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace IpEnrich.Testing;

/// <summary>
/// A real <c>redis-server</c> (Debian package) on a free loopback port, no persistence. Tests that need it call
/// <see cref="StartOrSkipAsync"/>: without the binary (scripts/test.sh installs it) they are skipped, not faked.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=2000";

    public static string? BinaryPath => FindBinary();

    public static async Task<RedisServer> StartOrSkipAsync()
    {
        if (BinaryPath is null)
        {
            Assert.Skip("redis-server is not installed (scripts/test.sh installs it)");
        }

        var server = new RedisServer(FreePort());
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        var info = new ProcessStartInfo(BinaryPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes" })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (await PingAsync())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"redis-server did not answer on port {Port}");
    }

    /// <summary>Kills the server (as a crash would); <see cref="StartAsync"/> brings it back on the same port, empty.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>
    /// <c>CLIENT PAUSE</c>: every client's commands wait for <paramref name="duration"/> (a stalled Redis: connections
    /// stay up, answers stop). Returns once the server has accepted the pause.
    /// </summary>
    public async Task PauseClientsAsync(TimeSpan duration)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        var ms = ((long)duration.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"CLIENT PAUSE {ms} ALL\r\n"));
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer);
        if (read == 0 || buffer[0] != (byte)'+')
        {
            throw new InvalidOperationException($"redis-server refused CLIENT PAUSE: {System.Text.Encoding.ASCII.GetString(buffer, 0, read).Trim()}");
        }
    }

    /// <summary>True when the server answers PING now.</summary>
    public Task<bool> AnswersAsync() => PingAsync();

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return read > 0 && buffer[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static readonly string[] Candidates = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];

    private static string? FindBinary() => Candidates.FirstOrDefault(File.Exists);
}
